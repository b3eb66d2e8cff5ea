import { join } from 'node:path';
import { ensurePrivateDir } from '../files.ts';
import type { Store } from './store.ts';

/**
 * Opens PostgreSQL when a URL is configured, otherwise the SQLite file in the data directory.
 * Each adapter (and its driver) loads only when chosen.
 */
export async function openStore(opts: { dataDir: string; databaseUrl?: string | undefined }): Promise<Store> {
  if (opts.databaseUrl) return (await import('./postgres.ts')).openPostgresStore({ url: opts.databaseUrl });
  ensurePrivateDir(opts.dataDir);
  return (await import('./sqlite.ts')).openSqliteStore({ filename: join(opts.dataDir, 'msec.db') });
}
