import { MsecError } from '../../core/index.ts';
import type { ColumnValue } from './chunk-codec.ts';
import type { QueryColumn } from './chunk-write.ts';

/** A per-event column of a chunk, as the scanner decodes it. */
export type ScanColumn = QueryColumn | 'event_id' | 'type';

/** ECS paths kept as query columns: free text on them needs no look at the original record. */
export const FIELD_COLUMNS: Record<string, ScanColumn | 'org_id'> = {
  'source.ip': 'src_ip',
  'destination.ip': 'dst_ip',
  'source.port': 'src_port',
  'destination.port': 'dst_port',
  'rule.name': 'signature',
  'rule.id': 'signature_id',
  'observer.name': 'observer',
  'network.transport': 'transport',
  'network.protocol': 'protocol',
  'threat.technique.id': 'technique',
  'event.dataset': 'dataset',
  'organization.id': 'org_id',
};

/** What the dashboards filter events on. Every field is optional; `orgs` is set by authorisation. */
export interface EventFilter {
  orgs: string[] | 'all';
  from?: number | undefined;
  to?: number | undefined;
  observer?: string | undefined;
  severity?: number | undefined;
  /** Suricata signature id (digits) or signature text (substring). */
  rule?: string | undefined;
  technique?: string | undefined;
  src?: string | undefined;
  dst?: string | undefined;
  /** Transport (tcp, udp) or application protocol (http, mqtt, modbus). */
  protocol?: string | undefined;
  dataset?: string | undefined;
  port?: number | undefined;
  field?: string | undefined;
  q?: string | undefined;
}

/** What one event of a chunk offers a filter: its columns by index, its city, its original record. */
export interface EventAt {
  org: string;
  col(name: ScanColumn): ColumnValue[];
  raw(): string[];
}

/** A filter compiled for the scanner: the columns it reads, and the test per event. */
export interface EventPredicate {
  columns: ScanColumn[];
  /** Whether the test reads the original records (free text on an unindexed field). */
  readsRaw: boolean;
  test(chunk: EventAt, i: number): boolean;
}

/** Case-insensitive substring, as SQL's LIKE '%x%' (SQLite) and ILIKE (PostgreSQL) answered. */
function containsText(v: ColumnValue, needle: string): boolean {
  return v !== null && String(v).toLowerCase().includes(needle);
}

/**
 * The tests of an event filter other than city and time (the scanner selects chunks by those).
 * Free text on a field that is not a column is matched on the original record here; the listing
 * then checks the field exactly on the rebuilt document.
 */
export function compileFilter(f: EventFilter): EventPredicate {
  const tests: Array<(c: EventAt, i: number) => boolean> = [];
  const columns = new Set<ScanColumn>();
  let readsRaw = false;
  const eq = (col: ScanColumn, value: ColumnValue) => {
    columns.add(col);
    tests.push((c, i) => c.col(col)[i] === value);
  };
  if (f.observer) eq('observer', f.observer);
  if (f.severity !== undefined) eq('severity', f.severity);
  if (f.rule) {
    if (/^\d+$/.test(f.rule)) eq('signature_id', Number(f.rule));
    else {
      const needle = f.rule.toLowerCase();
      columns.add('signature');
      tests.push((c, i) => containsText(c.col('signature')[i]!, needle));
    }
  }
  if (f.technique) eq('technique', f.technique.toUpperCase());
  if (f.src) eq('src_ip', f.src);
  if (f.dst) eq('dst_ip', f.dst);
  if (f.protocol) {
    const p = f.protocol.toLowerCase();
    columns.add('transport').add('protocol');
    tests.push((c, i) => c.col('transport')[i] === p || c.col('protocol')[i] === p);
  }
  if (f.dataset) eq('dataset', f.dataset);
  if (f.port !== undefined) {
    const port = f.port;
    columns.add('src_port').add('dst_port');
    tests.push((c, i) => c.col('src_port')[i] === port || c.col('dst_port')[i] === port);
  }
  if (f.q !== undefined && f.q.length > 0) {
    const needle = f.q.toLowerCase();
    const col = f.field ? FIELD_COLUMNS[f.field] : undefined;
    if (col === 'org_id') tests.push((c) => containsText(c.org, needle));
    else if (col) {
      columns.add(col);
      tests.push((c, i) => containsText(c.col(col)[i]!, needle));
    } else {
      readsRaw = true;
      tests.push((c, i) => c.raw()[i]!.toLowerCase().includes(needle));
    }
  } else if (f.field && f.q === undefined) {
    throw new MsecError('MONITOR_QUERY_INVALID', '`field` needs `q` (the text to look for)', { status: 400 });
  }
  return {
    columns: [...columns],
    readsRaw,
    test: (c, i) => {
      for (const t of tests) if (!t(c, i)) return false;
      return true;
    },
  };
}

/** A value at a dotted path of a document; arrays match when any element does. */
export function valuesAt(doc: unknown, path: string): unknown[] {
  let cur: unknown[] = [doc];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const c of cur) {
      if (Array.isArray(c)) for (const x of c) next.push((x as Record<string, unknown> | null)?.[key]);
      else if (c && typeof c === 'object') next.push((c as Record<string, unknown>)[key]);
    }
    cur = next.flatMap((x) => (Array.isArray(x) ? x : [x])).filter((x) => x !== undefined);
  }
  return cur;
}

/** Exact check of free text on any ECS path, after the SQL prefilter on the raw record. */
export function docFieldContains(doc: unknown, path: string, q: string): boolean {
  const needle = q.toLowerCase();
  return valuesAt(doc, path).some((v) =>
    (typeof v === 'object' ? JSON.stringify(v) : String(v)).toLowerCase().includes(needle),
  );
}
