import { columnTypes, type ModuleMigration } from '../core/index.ts';

/** Row types of the ledger's tables, for `store.db.withTables<LedgerTables>()`. */
export type LedgerTables = {
  /** One row per log entry; `idx` is the leaf index. */
  ledger_entries: { idx: number; kind: string; data_hash: Buffer; leaf_hash: Buffer; created_at: number };
  /** Hash of every complete subtree (2^level leaves from idx << level): proofs read O(log n) rows. */
  ledger_nodes: { level: number; idx: number; hash: Buffer };
  /** Signed tree heads, one per committed batch (and any size asked for later). */
  ledger_checkpoints: { size: number; root: Buffer; note: string; created_at: number };
  /** Receipts of tree heads written to an EVM chain. */
  ledger_anchors: {
    size: number;
    root: Buffer;
    chain_id: number;
    contract: string;
    tx_hash: string;
    block_number: number;
    created_at: number;
  };
};

export const ledgerMigrations: ModuleMigration[] = [
  {
    name: 'ledger_001_log',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('ledger_entries')
        .addColumn('idx', t.bigint, (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('data_hash', t.blob, (c) => c.notNull())
        .addColumn('leaf_hash', t.blob, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_nodes')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', t.bigint, (c) => c.notNull())
        .addColumn('hash', t.blob, (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_nodes_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('ledger_checkpoints')
        .addColumn('size', t.bigint, (c) => c.primaryKey())
        .addColumn('root', t.blob, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
    },
  },
  {
    name: 'ledger_002_anchors',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('ledger_anchors')
        .addColumn('tx_hash', 'text', (c) => c.primaryKey())
        .addColumn('size', t.bigint, (c) => c.notNull())
        .addColumn('root', t.blob, (c) => c.notNull())
        .addColumn('chain_id', t.bigint, (c) => c.notNull())
        .addColumn('contract', 'text', (c) => c.notNull())
        .addColumn('block_number', t.bigint, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ledger_anchors_size').on('ledger_anchors').column('size').execute();
    },
  },
];
