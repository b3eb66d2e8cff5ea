import { normaliseEve } from './eve.ts';
import { normaliseSyslog } from './syslog.ts';
import { parseTimestamp, receivedIso, timestampProblem } from './time.ts';
import type { IngestMeta, NormaliseResult } from './types.ts';

/** Longest line accepted (the agent contract's bound), in UTF-16 units checked before parsing. */
export const MAX_LINE_BYTES = 1024 * 1024;

function reject(code: string, message: string): NormaliseResult {
  return { ok: false, reject: { code, message } };
}

/** Parses a line as one JSON object, or says why it is not one. */
export function parseJsonObject(
  line: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, message: line.trimEnd().endsWith('}') ? 'line is not JSON' : 'line is not JSON (truncated?)' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, message: 'line is not a JSON object' };
  return { ok: true, value: value as Record<string, unknown> };
}

/** A generic JSON record: its own `@timestamp` or `timestamp`, kept whole under `json`. */
function normaliseJson(rec: Record<string, unknown>, line: string, meta: IngestMeta): NormaliseResult {
  const ts =
    typeof rec['@timestamp'] === 'string'
      ? rec['@timestamp']
      : typeof rec.timestamp === 'string'
        ? rec.timestamp
        : undefined;
  const timeMs = ts === undefined ? meta.now : parseTimestamp(ts);
  if (timeMs === undefined) return reject('MONITOR_EVENT_TIME_INVALID', 'record timestamp is not ISO 8601');
  const problem = timestampProblem(timeMs, meta.now);
  if (problem) return reject('MONITOR_EVENT_TIME_INVALID', problem);
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(timeMs).toISOString(),
    event: { kind: 'event', category: ['host'], type: ['info'], dataset: 'json', created: receivedIso(meta.now) },
    observer: meta.observer ? { name: meta.observer } : {},
    organization: { id: meta.org },
    json: rec,
  };
  return {
    ok: true,
    event: {
      type: 'json',
      timeMs,
      logsource: { product: 'json' },
      doc,
      raw: line,
      columns: {
        dataset: 'json',
        severity: null,
        observer: meta.observer ?? null,
        src_ip: null,
        src_port: null,
        dst_ip: null,
        dst_port: null,
        transport: null,
        protocol: null,
        flow_id: null,
        signature: null,
        signature_id: null,
        technique: null,
      },
    },
  };
}

/** One raw line of an ingest type into the common schema, or a per-item refusal. Never throws. */
export function normaliseLine(type: string, line: string, meta: IngestMeta): NormaliseResult {
  // A UTF-16 unit is at most 3 UTF-8 bytes: only long lines need their bytes counted.
  if (line.length > MAX_LINE_BYTES || (line.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(line) > MAX_LINE_BYTES))
    return reject('MONITOR_EVENT_TOO_LARGE', `line is over ${MAX_LINE_BYTES} bytes`);
  if (!/\S/.test(line)) return reject('MONITOR_EVENT_INVALID', 'line is empty');
  switch (type) {
    case 'eve': {
      const p = parseJsonObject(line);
      return p.ok ? normaliseEve(p.value, line, meta) : reject('MONITOR_EVENT_INVALID', p.message);
    }
    case 'json': {
      const p = parseJsonObject(line);
      if (!p.ok) return reject('MONITOR_EVENT_INVALID', p.message);
      // An EVE record shipped as plain JSON is still an EVE record.
      return typeof p.value.event_type === 'string'
        ? normaliseEve(p.value, line, meta)
        : normaliseJson(p.value, line, meta);
    }
    case 'auth':
    case 'syslog':
      return normaliseSyslog(type, line, meta);
    default:
      return reject('MONITOR_EVENT_INVALID', `unknown ingest type "${type.slice(0, 20)}"`);
  }
}
