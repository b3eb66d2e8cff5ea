import type { Generated } from 'kysely';
import { columnTypes, type ModuleMigration } from '../../core/index.ts';

/** Row types of the history table, for `store.db.withTables<HistoryTables>()`. */
export type HistoryTables = {
  hub_history: {
    /** Sequence number: also the federation outbox position. */
    id: Generated<number>;
    org: string;
    provider: string;
    service: string;
    resource: string;
    device_id: string;
    counter: number;
    /** Device time of the measurement, ms. */
    ts: number;
    received_at: number;
    /** Numeric view of the value for aggregation (booleans as 0/1); null for text. */
    value_num: number | null;
    /** JSON text of the value. */
    value: string;
    unit: string | null;
    signature: string;
    attestation: string;
    /** Partner hub the reading came from (null: accepted here) and its sequence there. */
    origin: string | null;
    origin_seq: number | null;
    /** Original COSE_Sign1 where kept (local readings, and federated ones whose agreement keeps signatures). */
    cose: Uint8Array | null;
  };
};

export const historyMigrations: ModuleMigration[] = [
  {
    name: 'hub_data_002_history',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('hub_history')
        .addColumn('id', t.autoId, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('org', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('counter', t.bigint, (c) => c.notNull())
        .addColumn('ts', t.bigint, (c) => c.notNull())
        .addColumn('received_at', t.bigint, (c) => c.notNull())
        .addColumn('value_num', dialect === 'sqlite' ? 'real' : 'double precision')
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('unit', 'text')
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('attestation', 'text', (c) => c.notNull())
        .addColumn('origin', 'text')
        .addColumn('origin_seq', t.bigint)
        .addColumn('cose', t.blob)
        .execute();
      // A reading is stored once however often it is delivered (MQTT redelivery, federation retries).
      await db.schema
        .createIndex('hub_history_device_counter')
        .unique()
        .on('hub_history')
        .columns(['device_id', 'counter'])
        .execute();
      await db.schema
        .createIndex('hub_history_origin_seq')
        .unique()
        .on('hub_history')
        .columns(['origin', 'origin_seq'])
        .execute();
      await db.schema
        .createIndex('hub_history_resource_ts')
        .on('hub_history')
        .columns(['provider', 'service', 'resource', 'ts', 'id'])
        .execute();
      await db.schema.createIndex('hub_history_received').on('hub_history').column('received_at').execute();
    },
  },
];
