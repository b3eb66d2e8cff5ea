import type { ModuleMigration } from '../../core/index.ts';

/** Which principals came from the LDAP directory: their roles are re-read from it on every request (TTL-cached). */
export type LdapTables = {
  iam_ldap_links: { principal_id: string; dn: string; synced_at: number };
};

export const ldapMigrations: ModuleMigration[] = [
  {
    name: 'iam_010_ldap_links',
    async up(db) {
      await db.schema
        .createTable('iam_ldap_links')
        .ifNotExists()
        .addColumn('principal_id', 'text', (c) => c.primaryKey())
        .addColumn('dn', 'text', (c) => c.notNull())
        .addColumn('synced_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];
