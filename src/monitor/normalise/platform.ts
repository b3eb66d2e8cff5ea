import { SUBJECTS, securitySubject as sec } from '../../core/index.ts';
import { PLATFORM_ORG } from '../../iam/index.ts';
import type { NormalisedEvent } from './types.ts';

/** Bus subjects the monitor listens to for the platform's own security events. */
export const PLATFORM_SUBJECTS = [SUBJECTS.securityAll, SUBJECTS.readingRejected] as const;

/**
 * logsource (service, category) per bus subject, as CONTRACTS.md section 2 names them for the rule
 * pack. Kinds not listed keep their own name (dashes as underscores).
 */
const KIND_MAP: Record<
  string,
  { service: string; category: string; outcome: 'failure' | 'unknown'; categories: string[] }
> = {
  [sec('api', 'login-failed')]: {
    service: 'iam',
    category: 'login_failed',
    outcome: 'failure',
    categories: ['authentication'],
  },
  [sec('api', 'account-locked')]: {
    service: 'iam',
    category: 'account_locked',
    outcome: 'failure',
    categories: ['authentication'],
  },
  [sec('api', 'auth-failed')]: {
    service: 'api',
    category: 'auth_failed',
    outcome: 'failure',
    categories: ['authentication'],
  },
  [sec('api', 'access-denied')]: { service: 'api', category: 'access_denied', outcome: 'failure', categories: ['iam'] },
  [sec('hub', 'auth-failed')]: {
    service: 'hub',
    category: 'mqtt_connect_refused',
    outcome: 'failure',
    categories: ['authentication'],
  },
  [sec('hub', 'anonymous')]: {
    service: 'hub',
    category: 'mqtt_connect_refused',
    outcome: 'failure',
    categories: ['authentication'],
  },
  [sec('hub', 'connect-throttled')]: {
    service: 'hub',
    category: 'mqtt_connect_refused',
    outcome: 'failure',
    categories: ['authentication', 'network'],
  },
  [sec('hub', 'device-quarantined')]: {
    service: 'device',
    category: 'attestation_failed',
    outcome: 'failure',
    categories: ['host'],
  },
  [SUBJECTS.readingRejected]: {
    service: 'device',
    category: 'reading_refused',
    outcome: 'failure',
    categories: ['host'],
  },
};

/** The broker reports its reading refusals here too; `hub.reading.rejected` already carries every one of them. */
export function isDuplicateSubject(subject: string): boolean {
  return subject === sec('hub', 'reading-rejected');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, 500) : undefined;
}

/** A platform security event from the bus into the common schema. */
export function normalisePlatformEvent(
  subject: string,
  at: number,
  data: unknown,
  receivedAt: number,
): NormalisedEvent {
  const d = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const tokens = subject.split('.');
  const mapped = KIND_MAP[subject] ?? {
    service: tokens[1] ?? 'platform',
    category: (tokens.slice(2).join('_') || 'event').replaceAll('-', '_'),
    outcome: 'unknown' as const,
    categories: ['host'],
  };
  const timeMs = Number.isFinite(at) && at > 0 ? at : receivedAt;
  const org = str(d.org) ?? PLATFORM_ORG;
  const ip = str(d.ip);
  const user = str(d.actor) ?? str(d.actorName) ?? str(d.clientId);
  const deviceId = str(d.deviceId);
  const reason = str(d.reason) ?? str(d.message);
  const code = str(d.code);
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(timeMs).toISOString(),
    event: {
      kind: 'event',
      category: mapped.categories,
      type: ['denied'],
      action: mapped.category,
      outcome: mapped.outcome,
      dataset: `msec.${mapped.service}`,
      module: 'msec',
      created: new Date(receivedAt).toISOString(),
      ...(reason ? { reason } : {}),
      ...(code ? { code } : {}),
    },
    observer: { name: 'msec', type: 'platform', product: 'msec' },
    organization: { id: org },
    msec: { subject, data: d },
  };
  if (ip) doc.source = { ip };
  if (user) doc.user = { name: user };
  if (deviceId) doc.device = { id: deviceId };
  const route = str(d.route);
  if (route) doc.url = { path: route };
  return {
    type: 'platform',
    timeMs,
    logsource: { product: 'msec', service: mapped.service, category: mapped.category },
    doc,
    columns: {
      dataset: mapped.service,
      severity: null,
      observer: 'msec',
      src_ip: ip ?? null,
      src_port: null,
      dst_ip: null,
      dst_port: null,
      transport: null,
      protocol: mapped.service === 'hub' ? 'mqtt' : null,
      flow_id: null,
      signature: mapped.category,
      signature_id: null,
      technique: null,
    },
    raw: JSON.stringify({ subject, at, data: d }),
  };
}
