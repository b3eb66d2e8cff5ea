import { sql, type Generated, type Kysely } from 'kysely';
import { columnTypes, type ModuleMigration } from '../core/index.ts';
import { auditRetentionMigrations } from './audit-retention.ts';
import { auditHeadMigrations } from './audit-heads.ts';
import { usageMigrations } from './usage.ts';

export type IamTables = {
  iam_orgs: { id: string; name: string; kind: string; created_at: number };
  iam_principals: {
    id: string;
    org_id: string;
    kind: string;
    name: string;
    display_name: string | null;
    roles: string;
    password_hash: string | null;
    disabled: number;
    failed_logins: number;
    locked_until: number | null;
    created_at: number;
    updated_at: number;
  };
  iam_api_keys: {
    id: string;
    principal_id: string;
    name: string;
    secret_hash: string;
    created_at: number;
    expires_at: number | null;
    revoked_at: number | null;
    last_used_at: number | null;
  };
  iam_refresh_tokens: {
    token_hash: string;
    principal_id: string;
    family: string;
    created_at: number;
    expires_at: number;
    revoked_at: number | null;
  };
  iam_token_revocations: { kind: string; value: string; revoked_at: number; expires_at: number };
  iam_login_throttle: { name_key: string; source: string; failures: number; next_at: number; updated_at: number };
  /** Central policies as they apply now: one row per statement, its document and version. */
  iam_policies: {
    id: string;
    version: number;
    document: string;
    updated_at: number;
    updated_by: string | null;
  };
  /** Every change to a central policy, with who made it; never rewritten. */
  iam_policy_history: {
    seq: Generated<number>;
    policy_id: string;
    version: number;
    change: string;
    document: string | null;
    actor_id: string | null;
    actor_name: string | null;
    at: number;
  };
  /** Token-signing keys (rotation with overlap); `wrapped_key` null = the platform key itself. */
  iam_signing_keys: { kid: string; wrapped_key: string | null; created_at: number; retires_at: number | null };
  iam_audit_log: {
    id: Generated<number>;
    at: number;
    actor_id: string | null;
    actor_name: string | null;
    org_id: string | null;
    action: string;
    resource: string | null;
    outcome: string;
    status: number | null;
    ip: string | null;
    request_id: string | null;
    detail: string | null;
  };
};

export const iamMigrations: ModuleMigration[] = [
  {
    name: 'iam_001_identities',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_orgs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('iam_principals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('iam_orgs.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text')
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', t.bigint)
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('iam_principals_org').on('iam_principals').column('org_id').execute();
      await db.schema
        .createTable('iam_api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('principal_id', 'text', (c) => c.notNull().references('iam_principals.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('expires_at', t.bigint)
        .addColumn('revoked_at', t.bigint)
        .addColumn('last_used_at', t.bigint)
        .execute();
      await db.schema
        .createTable('iam_refresh_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('principal_id', 'text', (c) => c.notNull().references('iam_principals.id'))
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('expires_at', t.bigint, (c) => c.notNull())
        .addColumn('revoked_at', t.bigint)
        .execute();
      await db.schema.createIndex('iam_refresh_family').on('iam_refresh_tokens').column('family').execute();
      await db.schema
        .createTable('iam_token_revocations')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('revoked_at', t.bigint, (c) => c.notNull())
        .addColumn('expires_at', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_token_revocations_pk', ['kind', 'value'])
        .execute();
    },
  },
  {
    name: 'iam_002_audit_log',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_audit_log')
        .addColumn('id', t.autoId, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('at', t.bigint, (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_name', 'text')
        .addColumn('org_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('resource', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('ip', 'text')
        .addColumn('request_id', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('iam_audit_at').on('iam_audit_log').column('at').execute();
      await db.schema.createIndex('iam_audit_actor').on('iam_audit_log').columns(['actor_id', 'at']).execute();
      // Append-only at the storage level too: no code path may rewrite history.
      if (dialect === 'sqlite') {
        await sqlRaw(
          db,
          `CREATE TRIGGER iam_audit_no_update BEFORE UPDATE ON iam_audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
        );
        await sqlRaw(
          db,
          `CREATE TRIGGER iam_audit_no_delete BEFORE DELETE ON iam_audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END`,
        );
      } else {
        await sqlRaw(
          db,
          `CREATE OR REPLACE FUNCTION iam_audit_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$ LANGUAGE plpgsql`,
        );
        await sqlRaw(
          db,
          `CREATE TRIGGER iam_audit_no_change BEFORE UPDATE OR DELETE ON iam_audit_log FOR EACH ROW EXECUTE FUNCTION iam_audit_append_only()`,
        );
      }
    },
  },
  {
    name: 'iam_003_login_throttle',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_login_throttle')
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('next_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('iam_login_throttle_pk', ['name_key', 'source'])
        .execute();
    },
  },
  ...auditHeadMigrations,
  {
    name: 'iam_020_central_policies',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_policies')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_by', 'text')
        .execute();
      await db.schema
        .createTable('iam_policy_history')
        .addColumn('seq', t.autoId, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('policy_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('change', 'text', (c) => c.notNull())
        .addColumn('document', 'text')
        .addColumn('actor_id', 'text')
        .addColumn('actor_name', 'text')
        .addColumn('at', t.bigint, (c) => c.notNull())
        .addUniqueConstraint('iam_policy_history_version', ['policy_id', 'version'])
        .execute();
    },
  },
  ...auditRetentionMigrations,
  {
    name: 'iam_021_signing_keys',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('iam_signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('wrapped_key', 'text')
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('retires_at', t.bigint)
        .execute();
    },
  },
  ...usageMigrations,
];

async function sqlRaw(db: Kysely<any>, statement: string): Promise<void> {
  await sql.raw(statement).execute(db);
}
