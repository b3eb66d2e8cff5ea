import { columnTypes, type ModuleMigration } from '../../core/index.ts';

/** Row types of the federation tables, for `store.db.withTables<FederationTables>()`. */
export type FederationTables = {
  hub_fed_agreements: {
    id: string;
    direction: string;
    local_org: string;
    /** The partner hub's name: the namespace its resources get here (`partner~provider`). */
    partner: string;
    /** JSON array of `provider/service/resource` patterns the agreement covers. */
    resources: string;
    decimals: number | null;
    pseudonymise: number;
    secret: string | null;
    keep_signatures: number;
    valid_until: number;
    /** Export side: the partner's base URL, the API key it issued us, its platform public JWK. */
    endpoint: string | null;
    credential: string | null;
    partner_key: string | null;
    /** Import side: the partner's service principal here. */
    principal_id: string | null;
    status: string;
    /** Export side: last sequence number the partner acknowledged (durable resume point); for an aggregating agreement, the end (ms) of the last window shared. */
    cursor: number;
    /** Share window aggregates instead of readings: window length in seconds and the statistic (avg, min, max, count). */
    aggregate_seconds: number | null;
    aggregate_statistic: string | null;
    created_at: number;
  };
  hub_fed_device_keys: { origin: string; device_id: string; jwk: string };
};

export const federationMigrations: ModuleMigration[] = [
  {
    name: 'hub_data_003_federation',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('hub_fed_agreements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('local_org', 'text', (c) => c.notNull())
        .addColumn('partner', 'text', (c) => c.notNull())
        .addColumn('resources', 'text', (c) => c.notNull())
        .addColumn('decimals', 'integer')
        .addColumn('pseudonymise', 'integer', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('keep_signatures', 'integer', (c) => c.notNull())
        .addColumn('valid_until', t.bigint, (c) => c.notNull())
        .addColumn('endpoint', 'text')
        .addColumn('credential', 'text')
        .addColumn('partner_key', 'text')
        .addColumn('principal_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('cursor', t.bigint, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('hub_fed_device_keys')
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('jwk', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('hub_fed_device_keys_pk', ['origin', 'device_id'])
        .execute();
    },
  },
  {
    name: 'hub_data_004_federation_aggregates',
    async up(db) {
      await db.schema.alterTable('hub_fed_agreements').addColumn('aggregate_seconds', 'integer').execute();
      await db.schema.alterTable('hub_fed_agreements').addColumn('aggregate_statistic', 'text').execute();
    },
  },
];
