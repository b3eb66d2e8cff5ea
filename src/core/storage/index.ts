export type { Store, Dialect } from './store.ts';
export { columnTypes } from './store.ts';
export { openSqliteStore } from './sqlite.ts';
export { openPostgresStore, redactUrl } from './postgres.ts';
export { openStore } from './open.ts';
export { migrate, type ModuleMigration } from './migrate.ts';
