import { columnTypes, type ModuleMigration } from '../../core/index.ts';

/** Tables the ledger module keeps beside the log itself. */
export type LedgerModuleTables = {
  /**
   * One row per batch of hub readings: the SHA-256 of each reading's COSE bytes, concatenated in
   * batch order, so the proof for a single reading can be rebuilt. `entry_idx` is null until the
   * batch's 'hub.readings-batch' entry is committed.
   */
  ledger_reading_batches: {
    batch_id: string;
    entry_idx: number | null;
    root: Buffer;
    hashes: Buffer;
    count: number;
    created_at: number;
  };
  /** Which batch holds a reading hash (one reading can be ingested only once, but stay tolerant). */
  ledger_batch_readings: { reading_hash: Buffer; batch_id: string; position: number };
  /** Audit heads of earlier versions (iam keeps them now, in iam_audit_heads). */
  ledger_audit_heads: { entry_idx: number; head: Buffer; last_audit_id: number; count: number; created_at: number };
  /** How far the ledger has batched a source it reads by cursor (the hub's accepted readings). */
  ledger_cursors: { name: string; seq: number };
};

export const ledgerModuleMigrations: ModuleMigration[] = [
  {
    name: 'ledgermod_001_batches_and_audit_heads',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('ledger_reading_batches')
        .addColumn('batch_id', 'text', (c) => c.primaryKey())
        .addColumn('entry_idx', t.bigint)
        .addColumn('root', t.blob, (c) => c.notNull())
        .addColumn('hashes', t.blob, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_batch_readings')
        .addColumn('batch_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('reading_hash', t.blob, (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_batch_readings_pk', ['batch_id', 'position'])
        .execute();
      await db.schema
        .createIndex('ledger_batch_readings_hash')
        .on('ledger_batch_readings')
        .column('reading_hash')
        .execute();
      await db.schema
        .createTable('ledger_audit_heads')
        .addColumn('entry_idx', t.bigint, (c) => c.primaryKey())
        .addColumn('head', t.blob, (c) => c.notNull())
        .addColumn('last_audit_id', t.bigint, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
    },
  },
  {
    name: 'ledgermod_002_cursors',
    async up(db, dialect) {
      await db.schema
        .createTable('ledger_cursors')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('seq', columnTypes(dialect).bigint, (c) => c.notNull())
        .execute();
    },
  },
];
