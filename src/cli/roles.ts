/** Roles `msec up --role` accepts; `all` (the default) runs every module in one process. */
export const PLATFORM_ROLES = ['all', 'anonymizer', 'api', 'hub', 'ledger', 'market', 'monitor', 'vault'] as const;
