import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { MsecError, type Dialect } from '../../core/index.ts';
import type { MonitorTables } from './schema.ts';

type EventCols = keyof MonitorTables['monitor_events'];

/** ECS paths that are stored as indexed columns; free text on them needs no scan of the raw record. */
export const FIELD_COLUMNS: Record<string, EventCols> = {
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

/** `x` for a LIKE pattern, with its wildcards escaped. */
export function likeContains(x: string): string {
  return `%${x.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function contains(dialect: Dialect, col: Expression<unknown>, text: string) {
  // SQLite's LIKE is case-insensitive for ASCII already; PostgreSQL needs ILIKE.
  return dialect === 'postgres'
    ? sql<SqlBool>`cast(${col} as text) ilike ${likeContains(text)} escape '\\'`
    : sql<SqlBool>`cast(${col} as text) like ${likeContains(text)} escape '\\'`;
}

/** The WHERE clause of an event filter (pure SQL; the listing adds an exact post-filter for free text on unindexed fields). */
export function eventWhere(dialect: Dialect, f: EventFilter) {
  return (eb: ExpressionBuilder<MonitorTables, 'monitor_events'>) => {
    const and: Expression<SqlBool>[] = [];
    if (f.orgs !== 'all')
      and.push(
        f.orgs.length === 1
          ? eb('org_id', '=', f.orgs[0]!)
          : eb('org_id', 'in', f.orgs.length > 0 ? f.orgs : ['\u0000']),
      );
    if (f.from !== undefined) and.push(eb('ts', '>=', f.from));
    if (f.to !== undefined) and.push(eb('ts', '<', f.to));
    if (f.observer) and.push(eb('observer', '=', f.observer));
    if (f.severity !== undefined) and.push(eb('severity', '=', f.severity));
    if (f.rule)
      and.push(
        /^\d+$/.test(f.rule) ? eb('signature_id', '=', Number(f.rule)) : contains(dialect, eb.ref('signature'), f.rule),
      );
    if (f.technique) and.push(eb('technique', '=', f.technique.toUpperCase()));
    if (f.src) and.push(eb('src_ip', '=', f.src));
    if (f.dst) and.push(eb('dst_ip', '=', f.dst));
    if (f.protocol)
      and.push(eb.or([eb('transport', '=', f.protocol.toLowerCase()), eb('protocol', '=', f.protocol.toLowerCase())]));
    if (f.dataset) and.push(eb('dataset', '=', f.dataset));
    if (f.port !== undefined) and.push(eb.or([eb('src_port', '=', f.port), eb('dst_port', '=', f.port)]));
    if (f.q !== undefined && f.q.length > 0) {
      const col = f.field ? FIELD_COLUMNS[f.field] : undefined;
      and.push(contains(dialect, eb.ref(col ?? 'raw'), f.q));
    } else if (f.field && f.q === undefined) {
      throw new MsecError('MONITOR_QUERY_INVALID', '`field` needs `q` (the text to look for)', { status: 400 });
    }
    return eb.and(and);
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
