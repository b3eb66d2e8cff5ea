import type { ModuleMigration } from '../../core/index.ts';
import { columnTypes } from '../../core/index.ts';

/** Row types of the device registry (a `type` alias so Kysely's withTables accepts it). */
export type DeviceTables = {
  hub_devices: {
    id: string;
    org_id: string;
    principal_id: string;
    keystore: string;
    key_version: number;
    /** JSON of the current signing public key (EC P-256 JWK). */
    signing_jwk: string;
    /** JSON SOX-style metadata (name, type, transducers, location...). */
    metadata: string;
    status: string;
    attestation: string;
    attestation_reason: string | null;
    attestation_at: number | null;
    /** JSON of the last attestation result: { ok, at, code? }. */
    last_attestation: string | null;
    /** JSON { [pcrIndex]: hex } of golden SHA-256 PCR values. */
    golden_pcrs: string | null;
    ek_jwk: string | null;
    /** Marshalled TPMT_PUBLIC of the attestation key, base64url. */
    ak_public: string | null;
    /** JSON { nonce, pcrs, expiresAt } of a pending attestation challenge. */
    attestation_challenge: string | null;
    last_counter: number;
    created_at: number;
    updated_at: number;
  };
  hub_device_keys: {
    device_id: string;
    version: number;
    jwk: string;
    created_at: number;
    revoked_at: number | null;
    revoked_reason: string | null;
  };
  hub_enrollment_tokens: {
    token_hash: string;
    id: string;
    org_id: string;
    created_by: string | null;
    created_at: number;
    expires_at: number;
    max_uses: number;
    uses: number;
  };
  hub_enrollment_sessions: {
    id: string;
    token_hash: string;
    nonce: string;
    created_at: number;
    expires_at: number;
    /** JSON of the TPM activation step's pending state (hashes of the expected secrets, device data). */
    pending: string | null;
  };
};

export const deviceMigrations: ModuleMigration[] = [
  {
    name: 'hub_devices_001_registry',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('hub_devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text', (c) => c.notNull())
        .addColumn('keystore', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addColumn('signing_jwk', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attestation', 'text', (c) => c.notNull())
        .addColumn('attestation_reason', 'text')
        .addColumn('attestation_at', t.bigint)
        .addColumn('last_attestation', 'text')
        .addColumn('golden_pcrs', 'text')
        .addColumn('ek_jwk', 'text')
        .addColumn('ak_public', 'text')
        .addColumn('attestation_challenge', 'text')
        .addColumn('last_counter', t.bigint, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('hub_devices_org').on('hub_devices').column('org_id').execute();
      await db.schema
        .createTable('hub_device_keys')
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('revoked_at', t.bigint)
        .addColumn('revoked_reason', 'text')
        .addPrimaryKeyConstraint('hub_device_keys_pk', ['device_id', 'version'])
        .execute();
      await db.schema
        .createTable('hub_enrollment_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('expires_at', t.bigint, (c) => c.notNull())
        .addColumn('max_uses', 'integer', (c) => c.notNull())
        .addColumn('uses', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('hub_enrollment_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('expires_at', t.bigint, (c) => c.notNull())
        .addColumn('pending', 'text')
        .execute();
    },
  },
  {
    name: 'hub_devices_002_updated_index',
    async up(db) {
      // Hub caches poll "what changed since" instead of re-reading every device.
      await db.schema.createIndex('hub_devices_updated').on('hub_devices').column('updated_at').execute();
    },
  },
];
