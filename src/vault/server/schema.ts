import { columnTypes, type ModuleMigration } from '../../core/index.ts';

/** Row types of the vault's tables: ciphertext, wrapped keys and public keys only, never secrets. */
export type VaultTables = {
  vault_keys: {
    principal_id: string;
    org_id: string;
    kid: string;
    public_jwk: string;
    created_at: number;
    updated_at: number;
  };
  vault_records: {
    id: string;
    owner_id: string;
    org_id: string;
    latest_version: number;
    created_at: number;
    erased_at: number | null;
  };
  /** One row per version; iv and ciphertext are nulled by erasure, hash and ledger index stay (tombstone). */
  vault_versions: {
    record_id: string;
    version: number;
    iv: Buffer | null;
    ciphertext: Buffer | null;
    hash: Buffer;
    ledger_index: number;
    created_at: number;
  };
  vault_wrapped_keys: {
    record_id: string;
    version: number;
    principal_id: string;
    kid: string;
    wrapped: string;
    created_at: number;
  };
  vault_grants: {
    record_id: string;
    reader_id: string;
    status: 'active' | 'revoked';
    granted_at: number;
    revoked_at: number | null;
  };
  vault_requests: {
    id: string;
    record_id: string;
    owner_id: string;
    requester_id: string;
    reason: string | null;
    status: RequestStatus;
    created_at: number;
    decided_at: number | null;
  };
};

export type RequestStatus = 'pending' | 'approved' | 'denied' | 'revoked' | 'cancelled';

export const vaultMigrations: ModuleMigration[] = [
  {
    name: 'vault_001_records_keys_grants',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('vault_keys')
        .addColumn('principal_id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('vault_records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('latest_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('erased_at', t.bigint)
        .execute();
      await db.schema.createIndex('vault_records_owner').on('vault_records').column('owner_id').execute();
      await db.schema
        .createTable('vault_versions')
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('iv', t.blob)
        .addColumn('ciphertext', t.blob)
        .addColumn('hash', t.blob, (c) => c.notNull())
        .addColumn('ledger_index', t.bigint, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('vault_versions_pk', ['record_id', 'version'])
        .execute();
      await db.schema
        .createTable('vault_wrapped_keys')
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('wrapped', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('vault_wrapped_keys_pk', ['record_id', 'version', 'principal_id'])
        .execute();
      await db.schema
        .createTable('vault_grants')
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('reader_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('granted_at', t.bigint, (c) => c.notNull())
        .addColumn('revoked_at', t.bigint)
        .addPrimaryKeyConstraint('vault_grants_pk', ['record_id', 'reader_id'])
        .execute();
      await db.schema
        .createTable('vault_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('requester_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('decided_at', t.bigint)
        .execute();
      await db.schema
        .createIndex('vault_requests_owner')
        .on('vault_requests')
        .columns(['owner_id', 'status'])
        .execute();
      await db.schema
        .createIndex('vault_requests_requester')
        .on('vault_requests')
        .columns(['requester_id', 'status'])
        .execute();
    },
  },
];
