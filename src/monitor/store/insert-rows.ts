import { CompiledQuery } from 'kysely';
import type { Dialect } from '../../core/index.ts';
import type { MonitorDb } from './events.ts';

/**
 * Rows a statement carries: SQLite's multi-row VALUES costs more per row past ~100 rows; PostgreSQL
 * takes up to 1000 to save round trips, within its 65535 parameters.
 */
function rowsPerStatement(dialect: Dialect, columns: number): number {
  return dialect === 'sqlite' ? 100 : Math.min(1000, Math.floor(65535 / columns));
}

const texts = new Map<string, string>();

function insertText(dialect: Dialect, table: string, columns: readonly string[], n: number, tail: string): string {
  const key = `${dialect}|${table}|${columns.join(',')}|${n}|${tail}`;
  let text = texts.get(key);
  if (text === undefined) {
    const groups: string[] = [];
    let p = 0;
    for (let r = 0; r < n; r++)
      groups.push(`(${columns.map(() => (dialect === 'sqlite' ? '?' : `$${++p}`)).join(', ')})`);
    text = `insert into ${table} (${columns.join(', ')}) values ${groups.join(', ')}${tail ? ` ${tail}` : ''}`;
    if (texts.size >= 256) texts.clear();
    texts.set(key, text);
  }
  return text;
}

/**
 * Inserts `rows` (values in the order of `columns`) with multi-row statements of raw SQL: building
 * the same inserts through the query builder cost more than executing them. `tail` follows the
 * VALUES list (an `on conflict` clause).
 */
export async function insertRows(
  db: MonitorDb,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
  tail = '',
): Promise<void> {
  const per = rowsPerStatement(dialect, columns.length);
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const params: unknown[] = [];
    for (const row of part) for (const v of row) params.push(v);
    await db.executeQuery(CompiledQuery.raw(insertText(dialect, table, columns, part.length, tail), params));
  }
}
