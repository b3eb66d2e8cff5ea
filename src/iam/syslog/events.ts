import type { BusEvent } from '../../core/index.ts';
import type { AuditEntry } from '../audit.ts';
import { FACILITY, SEVERITY, type SyslogMessage } from './format.ts';

/** Who is sending: the header fields every message shares. */
export interface SyslogOrigin {
  hostname: string;
  appName: string;
  procId: string;
  /** Enterprise part of the SD-IDs (`audit@<pen>`), RFC 5424 §7.2.2; 32473 is the documentation PEN. */
  enterpriseId: string;
}

const MAX_VALUE = 1024;
const cut = (v: string | null | undefined) =>
  v == null ? undefined : v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) : v;

/** An audit row as syslog: facility log-audit, MSGID `audit`, its fields in `[audit@PEN ...]`, detail as JSON MSG. */
export function auditMessage(e: AuditEntry, o: SyslogOrigin): SyslogMessage {
  return {
    facility: FACILITY.logAudit,
    severity: e.outcome === 'succeeded' ? SEVERITY.informational : SEVERITY.warning,
    at: e.at,
    hostname: o.hostname,
    appName: o.appName,
    procId: o.procId,
    msgId: 'audit',
    structuredData: [
      {
        id: `audit@${o.enterpriseId}`,
        params: {
          id: e.id,
          actorId: cut(e.actorId),
          actorName: cut(e.actorName),
          org: cut(e.orgId),
          action: cut(e.action),
          resource: cut(e.resource),
          outcome: e.outcome,
          status: e.status,
          ip: cut(e.ip),
          requestId: cut(e.requestId),
        },
      },
    ],
    msg: `${e.outcome} ${e.action}${e.detail ? ' ' + JSON.stringify(e.detail) : ''}`,
  };
}

/** A security bus event as syslog: facility auth, MSGID `security`, scalar fields in `[security@PEN ...]`. */
export function securityMessage(ev: BusEvent, o: SyslogOrigin): SyslogMessage {
  const data = ev.data && typeof ev.data === 'object' ? (ev.data as Record<string, unknown>) : {};
  const params: Record<string, string | number | boolean | undefined> = { subject: ev.subject };
  for (const [k, v] of Object.entries(data).slice(0, 30)) {
    if (typeof v === 'string') params[k] = cut(v);
    else if (typeof v === 'number' || typeof v === 'boolean') params[k] = v;
  }
  return {
    facility: FACILITY.auth,
    severity: SEVERITY.warning,
    at: ev.at,
    hostname: o.hostname,
    appName: o.appName,
    procId: o.procId,
    msgId: 'security',
    structuredData: [{ id: `security@${o.enterpriseId}`, params }],
    msg: `${ev.subject} ${JSON.stringify(ev.data ?? null).slice(0, 4000)}`,
  };
}
