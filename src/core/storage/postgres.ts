import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Store } from './store.ts';

export interface PostgresStoreOptions {
  url: string;
  /** Schema to work in (created if missing); lets test suites and tenants share a database. */
  schema?: string;
  maxConnections?: number;
}

const INT8_OID = 20;

/** Our bigint columns hold millisecond times and counters, all below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export async function openPostgresStore({ url, schema, maxConnections = 10 }: PostgresStoreOptions): Promise<Store> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name: ${schema}`);
  }
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // Fail at start, not at the first request, if the database is unreachable.
  const client = await pool.connect();
  client.release();
  const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    schema,
    description: redactUrl(url) + (schema ? ` (schema ${schema})` : ''),
    close: () => db.destroy(),
  };
}
