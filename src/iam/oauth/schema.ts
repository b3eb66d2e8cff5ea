import type { ModuleMigration } from '../../core/index.ts';

/** OAuth 2.0 machine clients: each acts as a service principal, within the scopes it was registered for. */
export type OAuthTables = {
  iam_oauth_clients: {
    client_id: string;
    secret_hash: string;
    principal_id: string;
    scopes: string;
    created_at: number;
    revoked_at: number | null;
  };
};

export const oauthMigrations: ModuleMigration[] = [
  {
    name: 'iam_012_oauth_clients',
    async up(db) {
      await db.schema
        .createTable('iam_oauth_clients')
        .ifNotExists()
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
    },
  },
];
