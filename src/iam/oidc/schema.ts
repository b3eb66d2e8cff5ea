import type { ModuleMigration } from '../../core/index.ts';

/** Which msec principal stands for which (issuer, subject) of the external OIDC provider. */
export type OidcTables = {
  iam_oidc_links: { issuer: string; subject: string; principal_id: string; created_at: number };
};

export const oidcMigrations: ModuleMigration[] = [
  {
    name: 'iam_011_oidc_links',
    async up(db) {
      await db.schema
        .createTable('iam_oidc_links')
        .ifNotExists()
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_oidc_links_pk', ['issuer', 'subject'])
        .execute();
    },
  },
];
