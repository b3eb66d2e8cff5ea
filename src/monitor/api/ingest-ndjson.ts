import { MsecError } from '../../core/index.ts';

/**
 * The NDJSON form of an agent batch (docs/monitor.md section 1.1): a first line `{"agent":{…}}`,
 * then one record per line, each `{"id","type","event"}` (the event embedded as a JSON value, how
 * the msec agent ships eve/json lines) or `{"id","type","line"}` (the line as a JSON string).
 */

export const EVENT_ID = /^[A-Za-z0-9._:/-]{1,256}$/;
const MAX_FILE_CHARS = 4096;

/** A record whose line goes to the pipeline. `record` is kept when the line was cut out of it unparsed. */
export interface NdjsonItem {
  ok: true;
  id: string;
  type: string;
  line: string;
  record?: string;
}

/** A record refused on its own: `id` when one could be recovered, else empty. */
export interface NdjsonRefusal {
  ok: false;
  id: string;
  message: string;
}

export type NdjsonRecord = (NdjsonItem | NdjsonRefusal) & { lineNo: number };

/** A parsed NDJSON batch: the instance tells the route which form it got (JSON.parse makes none). */
export class NdjsonBatch {
  constructor(
    readonly agent: unknown,
    readonly records: NdjsonRecord[],
  ) {}
}

/**
 * Splits a body into its agent line and records. Blank lines are skipped; a record that is not usable
 * is refused on its own (its neighbours are kept). Throws 400 only when the agent line is missing or bad.
 */
export function parseNdjsonBatch(text: string): NdjsonBatch {
  let agent: unknown;
  let haveAgent = false;
  const records: NdjsonRecord[] = [];
  let lineNo = 0;
  for (let pos = 0; pos < text.length;) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    lineNo++;
    const end = nl > pos && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const line = text.slice(pos, end);
    pos = nl + 1;
    if (isBlank(line)) continue;
    if (!haveAgent) {
      agent = agentOf(line);
      haveAgent = true;
      continue;
    }
    records.push({ ...parseRecord(line), lineNo });
  }
  if (!haveAgent)
    throw new MsecError('VALIDATION_FAILED', 'an NDJSON batch starts with a line {"agent":{"name":…}}', {
      status: 400,
    });
  return new NdjsonBatch(agent, records);
}

function agentOf(line: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new MsecError('MALFORMED_JSON', 'the first line of an NDJSON batch is not JSON', { status: 400 });
  }
  if (!isObject(v) || !isObject(v.agent))
    throw new MsecError('VALIDATION_FAILED', 'an NDJSON batch starts with a line {"agent":{"name":…}}', {
      status: 400,
    });
  return v.agent;
}

/** One record line: the agent's own layout is cut apart without parsing it; anything else is parsed. */
export function parseRecord(line: string): NdjsonItem | NdjsonRefusal {
  return fastRecord(line) ?? slowRecord(line);
}

/**
 * The fast path: `{"id":"<id>","type":"eve|json"[,"file":"…"],"event":<event>}` exactly as the agent
 * writes it. The event is everything between `"event":` and the final `}`; the pipeline parses it
 * (once). If that text is not JSON, the record may still be valid JSON with members after `event`:
 * the route then asks `recheckFastRecord`.
 */
function fastRecord(line: string): NdjsonItem | undefined {
  if (!line.startsWith('{"id":"')) return undefined;
  const idEnd = line.indexOf('"', 7);
  if (idEnd < 0) return undefined;
  const id = line.slice(7, idEnd);
  if (!EVENT_ID.test(id) || !line.startsWith('","type":"', idEnd)) return undefined;
  const typeEnd = line.indexOf('"', idEnd + 10);
  if (typeEnd < 0) return undefined;
  const type = line.slice(idEnd + 10, typeEnd);
  if (type !== 'eve' && type !== 'json') return undefined;
  let p = typeEnd + 1;
  if (line.startsWith(',"file":"', p)) {
    const fileEnd = jsonStringEnd(line, p + 8);
    if (fileEnd < 0 || !validFile(line.slice(p + 8, fileEnd))) return undefined;
    p = fileEnd;
  }
  if (!line.startsWith(',"event":', p) || line.charCodeAt(line.length - 1) !== 0x7d) return undefined;
  return { ok: true, id, type, line: line.slice(p + 9, line.length - 1), record: line };
}

/** Any record, parsed: members in any order and spacing; `event` is re-serialised for the pipeline. */
function slowRecord(line: string): NdjsonItem | NdjsonRefusal {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, id: recoverId(line), message: 'record is not valid JSON' };
  }
  if (!isObject(v)) return { ok: false, id: '', message: 'record is not a JSON object' };
  if (typeof v.id !== 'string') return { ok: false, id: '', message: 'record has no id' };
  const id = v.id;
  if (typeof v.type !== 'string') return { ok: false, id, message: 'record has no type' };
  if (v.file !== undefined && (typeof v.file !== 'string' || v.file.length > MAX_FILE_CHARS))
    return { ok: false, id, message: `file must be a string of at most ${MAX_FILE_CHARS} characters` };
  const hasEvent = Object.hasOwn(v, 'event');
  const hasLine = Object.hasOwn(v, 'line');
  if (hasEvent && hasLine) return { ok: false, id, message: 'record has both event and line' };
  if (hasEvent) return { ok: true, id, type: v.type, line: JSON.stringify(v.event) };
  if (typeof v.line !== 'string') return { ok: false, id, message: 'record has neither event nor a string line' };
  return { ok: true, id, type: v.type, line: v.line };
}

/**
 * A fast-path record whose event text the pipeline refused as invalid. The refusal stands when that
 * text is JSON (then the record is `{…,"event":<it>}` and the event really is bad); otherwise the
 * record is parsed: it may be valid JSON with members after `event` (another client's layout).
 */
export function recheckFastRecord(item: NdjsonItem): NdjsonItem | NdjsonRefusal | undefined {
  if (item.record === undefined) return undefined;
  try {
    JSON.parse(item.line);
    return undefined;
  } catch {
    return slowRecord(item.record);
  }
}

/** Index just past the closing quote of the JSON string opening at `open`, or -1. */
function jsonStringEnd(s: string, open: number): number {
  for (let i = open + 1; ;) {
    const q = s.indexOf('"', i);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; s.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** The last file name checked: a batch's records mostly name the same file. */
let lastFile = '';
function validFile(quoted: string): boolean {
  if (quoted === lastFile) return true;
  let v: unknown;
  try {
    v = JSON.parse(quoted);
  } catch {
    return false;
  }
  if (typeof v !== 'string' || v.length > MAX_FILE_CHARS) return false;
  lastFile = quoted;
  return true;
}

const ID_AT_START = /^\s*\{\s*"id"\s*:\s*"([A-Za-z0-9._:/-]{1,256})"/;
function recoverId(line: string): string {
  return ID_AT_START.exec(line.slice(0, 300))?.[1] ?? '';
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
