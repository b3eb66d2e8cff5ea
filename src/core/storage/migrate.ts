import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { MsecError } from '../errors.ts';
import type { Dialect, Store } from './store.ts';

/** A schema change contributed by a module. Names sort globally: prefix them `<module>_<nnn>_`. */
export interface ModuleMigration {
  name: string;
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

class ListProvider implements MigrationProvider {
  constructor(
    private readonly list: ModuleMigration[],
    private readonly dialect: Dialect,
    private readonly applied: string[],
  ) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    // Migrations applied by a process that runs more modules than this one (e.g. `msec admin`
    // against a data directory `msec up` created) are known, not missing.
    for (const name of this.applied) out[name] = { up: async () => {} };
    for (const m of this.list) {
      if (out[m.name] && !this.applied.includes(m.name))
        throw new MsecError('STORAGE_ERROR', `duplicate migration name ${m.name}`);
      out[m.name] = { up: (db) => m.up(db, this.dialect) };
    }
    return out;
  }
}

/** Applies every pending migration in a transaction per migration; throws naming the one that failed. */
export async function migrate(store: Store, migrations: ModuleMigration[]): Promise<string[]> {
  const applied = await appliedMigrations(store);
  const migrator = new Migrator({
    db: store.db,
    provider: new ListProvider(migrations, store.dialect, applied),
    // Modules add migrations independently, so a new module's first migration may sort before
    // an already applied one of another module.
    allowUnorderedMigrations: true,
    // Kysely looks for its bookkeeping tables across schemas; pin them to the store's own.
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MsecError('STORAGE_ERROR', `migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations already applied to this store (none on a fresh one). */
async function appliedMigrations(store: Store): Promise<string[]> {
  const table = store.schema ? sql.id(store.schema, 'kysely_migration') : sql.id('kysely_migration');
  try {
    const res = await sql<{ name: string }>`select name from ${table}`.execute(store.db);
    return res.rows.map((r) => r.name);
  } catch {
    return [];
  }
}
