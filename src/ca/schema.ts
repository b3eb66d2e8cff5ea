import { columnTypes, type ModuleMigration } from '../core/index.ts';

/** Every certificate the CA issued (its DER too, so the CRL and status answers need nothing else). */
export type CaTables = {
  ca_certificates: {
    serial: string;
    kind: 'device' | 'service' | 'server';
    principal_id: string | null;
    name: string;
    org_id: string | null;
    spki_sha256: string;
    key_binding: 'enrolled' | 'separate' | 'server';
    renews: string | null;
    not_before: number;
    not_after: number;
    issued_at: number;
    revoked_at: number | null;
    revoke_reason: string | null;
    der: Buffer;
  };
  /** The CA's own certificate(s); the private key stays in the key store under `label`. */
  ca_authorities: { id: string; label: string; cert_der: Buffer; created_at: number };
};

export const caMigrations: ModuleMigration[] = [
  {
    name: 'ca_001_certificates',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('ca_authorities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('cert_der', t.blob, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ca_certificates')
        .addColumn('serial', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('org_id', 'text')
        .addColumn('spki_sha256', 'text', (c) => c.notNull())
        .addColumn('key_binding', 'text', (c) => c.notNull())
        .addColumn('renews', 'text')
        .addColumn('not_before', t.bigint, (c) => c.notNull())
        .addColumn('not_after', t.bigint, (c) => c.notNull())
        .addColumn('issued_at', t.bigint, (c) => c.notNull())
        .addColumn('revoked_at', t.bigint)
        .addColumn('revoke_reason', 'text')
        .addColumn('der', t.blob, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ca_certificates_principal').on('ca_certificates').column('principal_id').execute();
      await db.schema.createIndex('ca_certificates_revoked').on('ca_certificates').column('revoked_at').execute();
    },
  },
];
