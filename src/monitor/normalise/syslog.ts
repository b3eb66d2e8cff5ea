import type { IngestMeta, NormaliseResult } from './types.ts';
import { parseTimestamp, receivedIso, timestampProblem } from './time.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// RFC 3164 as rsyslog writes /var/log/auth.log: `Dec  1 20:04:18 host prog[pid]: message`;
// rsyslog's high-precision format starts with an RFC 3339 timestamp instead.
const BSD = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\S+) ([^:[\s]+)(?:\[(\d+)\])?: ?(.*)$/s;
const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\S+) (\S+) ([^:[\s]+)(?:\[(\d+)\])?: ?(.*)$/s;
// OpenSSH's failure and success lines, the ones brute-force rules count.
const SSH_FAILED =
  /^(?:Failed|Invalid) (?:password|publickey|user|keyboard-interactive\/pam)(?: for)?(?: invalid user)? (\S+) from (\S+) port (\d+)/;
const SSH_ACCEPTED = /^Accepted \S+ for (\S+) from (\S+) port (\d+)/;

/** RFC 3164 has no year: the latest one that does not put the line in the future. */
function bsdTime(mon: string, day: string, h: string, mi: string, s: string, now: number): number | undefined {
  const month = MONTHS.indexOf(mon);
  if (month < 0) return undefined;
  const year = new Date(now).getUTCFullYear();
  const t = Date.UTC(year, month, Number(day), Number(h), Number(mi), Number(s));
  return t > now + 86_400_000 ? Date.UTC(year - 1, month, Number(day), Number(h), Number(mi), Number(s)) : t;
}

/** An auth.log or syslog line into the common schema (logsource product linux). */
export function normaliseSyslog(service: 'auth' | 'syslog', line: string, meta: IngestMeta): NormaliseResult {
  let timeMs: number | undefined;
  let host: string;
  let program: string;
  let pid: string | undefined;
  let message: string;
  const bsd = BSD.exec(line);
  if (bsd) {
    timeMs = bsdTime(bsd[1]!, bsd[2]!, bsd[3]!, bsd[4]!, bsd[5]!, meta.now);
    [host, program, pid, message] = [bsd[6]!, bsd[7]!, bsd[8], bsd[9]!];
  } else {
    const iso = RFC3339.exec(line);
    if (!iso)
      return {
        ok: false,
        reject: { code: 'MONITOR_EVENT_INVALID', message: `${service} line is not in syslog format` },
      };
    timeMs = parseTimestamp(iso[1]!);
    [host, program, pid, message] = [iso[2]!, iso[3]!, iso[4], iso[5]!];
  }
  if (timeMs === undefined)
    return { ok: false, reject: { code: 'MONITOR_EVENT_TIME_INVALID', message: 'syslog timestamp is not valid' } };
  const problem = timestampProblem(timeMs, meta.now);
  if (problem) return { ok: false, reject: { code: 'MONITOR_EVENT_TIME_INVALID', message: problem } };

  const event: Record<string, unknown> = {
    kind: 'event',
    category: ['host'],
    type: ['info'],
    dataset: `linux.${service}`,
    module: 'linux',
    action: program,
    created: receivedIso(meta.now),
  };
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(timeMs).toISOString(),
    event,
    host: { name: host },
    process: { name: program, ...(pid ? { pid: Number(pid) } : {}) },
    message,
    observer: { name: meta.observer ?? host },
    organization: { id: meta.org },
    log: { original: line },
  };
  let srcIp: string | null = null;
  let srcPort: number | null = null;
  const failed = program === 'sshd' ? SSH_FAILED.exec(message) : null;
  const accepted = program === 'sshd' && !failed ? SSH_ACCEPTED.exec(message) : null;
  const auth = failed ?? accepted;
  if (auth) {
    srcIp = auth[2]!;
    srcPort = Number(auth[3]);
    Object.assign(event, {
      category: ['authentication'],
      type: ['start'],
      action: failed ? 'ssh_login_failed' : 'ssh_login',
      outcome: failed ? 'failure' : 'success',
    });
    doc.user = { name: auth[1] };
    doc.source = { ip: srcIp, port: srcPort };
  }
  return {
    ok: true,
    event: {
      type: service,
      timeMs,
      logsource: { product: 'linux', service },
      doc,
      columns: {
        dataset: service,
        severity: null,
        observer: meta.observer ?? host,
        src_ip: srcIp,
        src_port: srcPort,
        dst_ip: null,
        dst_port: null,
        transport: null,
        protocol: auth ? 'ssh' : null,
        flow_id: null,
        signature: null,
        signature_id: null,
        technique: null,
      },
      raw: line,
    },
  };
}
