import { columnTypes, type ModuleMigration } from '../../core/index.ts';

/** Row types of the digital-twin and access-rule tables, for `store.db.withTables<TwinTables>()`. */
export type TwinTables = {
  hub_providers: {
    provider: string;
    org: string;
    friendly_name: string | null;
    /** GeoJSON geometry as JSON text. */
    location: string | null;
    icon: string | null;
    /** Hub the provider was federated from; null for local providers. */
    origin: string | null;
    created_at: number;
    updated_at: number;
  };
  hub_resources: {
    provider: string;
    service: string;
    resource: string;
    kind: string;
    /** JSON text: unit, min, max, resolution, accuracy and the SOX transducer fields. */
    metadata: string;
    /** JSON text of the last value, or null before the first one. */
    value: string | null;
    value_at: number | null;
    received_at: number | null;
    signature: string | null;
    attestation: string | null;
    device_id: string | null;
  };
  hub_grants: {
    id: string;
    org: string;
    principal_id: string | null;
    role: string | null;
    grantee_org: string | null;
    provider: string;
    service: string;
    resource: string;
    access: string;
    effect: string;
    priority: number;
    created_by: string;
    created_at: number;
    /** When the grant stops applying (ms since epoch); null for a grant without end (hub_data_005). */
    expires_at: number | null;
    /** JSON GrantTerms: what the grantee receives (rounded, aggregated); null: the data as is (hub_data_006). */
    terms: string | null;
  };
};

export const twinMigrations: ModuleMigration[] = [
  {
    name: 'hub_data_001_twins',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('hub_providers')
        .addColumn('provider', 'text', (c) => c.primaryKey())
        .addColumn('org', 'text', (c) => c.notNull())
        .addColumn('friendly_name', 'text')
        .addColumn('location', 'text')
        .addColumn('icon', 'text')
        .addColumn('origin', 'text')
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('hub_providers_org').on('hub_providers').column('org').execute();
      await db.schema
        .createTable('hub_resources')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('value', 'text')
        .addColumn('value_at', t.bigint)
        .addColumn('received_at', t.bigint)
        .addColumn('signature', 'text')
        .addColumn('attestation', 'text')
        .addColumn('device_id', 'text')
        .addPrimaryKeyConstraint('hub_resources_pk', ['provider', 'service', 'resource'])
        .execute();
      await db.schema
        .createTable('hub_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org', 'text', (c) => c.notNull())
        .addColumn('principal_id', 'text')
        .addColumn('role', 'text')
        .addColumn('grantee_org', 'text')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('access', 'text', (c) => c.notNull())
        .addColumn('effect', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
    },
  },
  {
    // Time-limited grants (bought on the market): past this instant the grant no longer applies.
    name: 'hub_data_005_grant_expiry',
    async up(db, dialect) {
      await db.schema.alterTable('hub_grants').addColumn('expires_at', columnTypes(dialect).bigint).execute();
    },
  },
  {
    // Terms a grant carries (a market listing's precision or aggregation), applied on delivery.
    name: 'hub_data_006_grant_terms',
    async up(db) {
      await db.schema.alterTable('hub_grants').addColumn('terms', 'text').execute();
    },
  },
];
