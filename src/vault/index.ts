export { vaultModule, VAULT_POLICY, VAULT } from './module.ts';
export { vaultMigrations, type VaultTables } from './server/schema.ts';
export { VAULT_RECORD_KIND } from './server/records.ts';
export * from './client/index.ts';
export { VAULT_ERROR_CODES, type VaultErrorCode } from './errors.ts';
