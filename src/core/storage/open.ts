import { join } from 'node:path';
import { ensurePrivateDir } from '../files.ts';
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store } from './store.ts';

/** Opens PostgreSQL when a URL is configured, otherwise the SQLite file in the data directory. */
export async function openStore(opts: { dataDir: string; databaseUrl?: string | undefined }): Promise<Store> {
  if (opts.databaseUrl) return openPostgresStore({ url: opts.databaseUrl });
  ensurePrivateDir(opts.dataDir);
  return openSqliteStore({ filename: join(opts.dataDir, 'msec.db') });
}
