import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from './store.ts';

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:'. */
  filename: string;
}

/**
 * Embedded default: one SQLite file in WAL mode with synchronous=FULL, so an acknowledged
 * commit survives power loss, and foreign keys on.
 */
export function openSqliteStore({ filename }: SqliteStoreOptions): Store {
  const sqlite = new Database(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<object>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    description: `sqlite:${filename}`,
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every query anew; hot paths (replay counters, history inserts) run the same few
 * statements thousands of times a second, so keep prepared statements by SQL text. Safe because
 * Kysely runs one query at a time on this single connection, and SQLite re-prepares a statement
 * itself when the schema changes.
 */
function withStatementCache(sqlite: Database.Database, max = 512): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let st = cache.get(sql);
    if (!st) {
      st = sqlite.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(sql, st);
    }
    return st;
  };
  return new Proxy(sqlite, {
    get: (target, prop) => {
      if (prop === 'prepare') return prepare;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
