import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, type ModuleMigration, type Store } from '../../src/core/index.ts';
import { openPostgresStore } from '../../src/core/storage/postgres.ts';
import { openSqliteStore } from '../../src/core/storage/sqlite.ts';

/** PostgreSQL used by the suite; CI starts it when down. */
export const TEST_DATABASE_URL = process.env.MSEC_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreCase {
  name: 'sqlite' | 'postgres';
  /** Opens a fresh, empty, migrated store; `cleanup` removes it. */
  open(migrations: ModuleMigration[]): Promise<{ store: Store; cleanup: () => Promise<void> }>;
}

export const sqliteCase: StoreCase = {
  name: 'sqlite',
  async open(migrations) {
    const dir = mkdtempSync(join(tmpdir(), 'msec-sqlite-'));
    const store = openSqliteStore({ filename: join(dir, 'test.db') });
    await migrate(store, migrations);
    return {
      store,
      cleanup: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresCase: StoreCase = {
  name: 'postgres',
  async open(migrations) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, maxConnections: 4 });
    await migrate(store, migrations);
    return {
      store,
      cleanup: async () => {
        await store.close();
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      },
    };
  },
};

/** Both sides of the storage port: every storage suite runs against each. */
export const storeCases: StoreCase[] = [sqliteCase, postgresCase];
