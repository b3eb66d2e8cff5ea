// The storage port. Adapters are their own entries (`./sqlite.ts`, `./postgres.ts`), loaded by openStore.
export type { Store, Dialect } from './store.ts';
export { columnTypes } from './store.ts';
export { openStore } from './open.ts';
export { migrate, type ModuleMigration } from './migrate.ts';
