import { sql, type Generated } from 'kysely';
import { columnTypes, type ModuleMigration } from '../../core/index.ts';
import { migrateToChunks } from './migrate-chunks.ts';

/**
 * Row types of the monitor's tables. Events keep the original record (`raw`) and the columns the
 * dashboards filter and aggregate on; the ECS document is re-derived from `raw` when read, so the
 * hot ingest path writes one string per event instead of two.
 */
export type MonitorTables = {
  /**
   * Events, in chunks of up to CHUNK_EVENTS of one city and one batch, sorted by event time: one row
   * per chunk instead of per event (and per index entry) is what lets ingest keep up with a city.
   * Events are numbered `seq` .. `seq + count - 1` in chunk order. Each query column holds the
   * chunk's values as JSON (see chunk-codec.ts); `raw` the original records, compressed.
   */
  monitor_event_chunks: {
    seq: number;
    org_id: string;
    count: number;
    ts_min: number;
    ts_max: number;
    received_at: number;
    /** Encoded size of the row (columns and compressed records): what retention bounds. */
    bytes: number;
    ts: string;
    event_id: string;
    /** Ingest type: eve | auth | syslog | json | platform. */
    type: string;
    /** logsource.service: the EVE event_type, or the platform source. */
    dataset: string;
    severity: string;
    observer: string;
    src_ip: string;
    src_port: string;
    dst_ip: string;
    dst_port: string;
    transport: string;
    protocol: string;
    flow_id: string;
    signature: string;
    signature_id: string;
    technique: string;
    raw: Uint8Array;
  };
  /** Idempotent ingest: each (org, event id) stored, and the seq it was stored under. */
  monitor_event_ids: { org_id: string; event_id: string; seq: number };
  /** One row: the next event seq to hand out (a batch takes a block of them). */
  monitor_event_seq: { id: number; next: number };
  monitor_rules: {
    id: string;
    title: string;
    yaml: string;
    file: string;
    origin: 'pack' | 'operator';
    enabled: number;
    created_by: string | null;
    updated_at: number;
  };
  monitor_alerts: {
    id: string;
    org_id: string;
    group_key: string;
    rule_id: string;
    rule_title: string;
    kind: string;
    level: string;
    severity: number;
    risk: number;
    technique: string | null;
    tactic: string | null;
    src_ip: string | null;
    dst_ip: string | null;
    observer: string | null;
    count: number;
    first_seen: number;
    last_seen: number;
    status: 'open' | 'acknowledged' | 'escalated' | 'closed';
    assignee: string | null;
    close_reason: string | null;
    updated_at: number;
    /** JSON: rule description, tags, group-by values. */
    detail: string;
  };
  monitor_alert_events: { alert_id: string; event_seq: number };
  monitor_alert_history: { id: Generated<number>; alert_id: string; at: number; actor: string; change: string };
  monitor_alert_comments: { id: Generated<number>; alert_id: string; at: number; actor: string; text: string };
  monitor_suppressions: {
    id: string;
    org_id: string;
    rule_id: string | null;
    signature_id: number | null;
    src_ip: string | null;
    until: number | null;
    reason: string;
    created_by: string;
    created_at: number;
    hits: number;
  };
  monitor_webhooks: {
    id: string;
    org_id: string;
    url: string;
    format: 'json' | 'slack';
    secret: string;
    min_severity: number;
    repeat_ms: number;
    enabled: number;
    created_at: number;
  };
};

export const monitorMigrations: ModuleMigration[] = [
  {
    name: 'monitor_001_events_rules_alerts',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('monitor_events')
        .addColumn('seq', t.autoId, (c) => c.primaryKey()) // SQLite: the rowid (no AUTOINCREMENT bookkeeping per insert)
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('ts', t.bigint, (c) => c.notNull())
        .addColumn('received_at', t.bigint, (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('severity', 'integer')
        .addColumn('observer', 'text')
        .addColumn('src_ip', 'text')
        .addColumn('src_port', 'integer')
        .addColumn('dst_ip', 'text')
        .addColumn('dst_port', 'integer')
        .addColumn('transport', 'text')
        .addColumn('protocol', 'text')
        .addColumn('flow_id', 'text')
        .addColumn('signature', 'text')
        .addColumn('signature_id', t.bigint)
        .addColumn('technique', 'text')
        .addColumn('raw', 'text', (c) => c.notNull())
        .addColumn('bytes', 'integer', (c) => c.notNull())
        .execute();
      // Idempotent ingest: an event is stored at most once per (org, id).
      await db.schema
        .createIndex('monitor_events_org_event')
        .unique()
        .on('monitor_events')
        .columns(['org_id', 'event_id'])
        .execute();
      // Time-range scans per city (histograms, top-N, listing). Age retention needs no index of its
      // own: receive time grows with seq, so it bisects the primary key.
      await db.schema.createIndex('monitor_events_org_ts').on('monitor_events').columns(['org_id', 'ts']).execute();
      // Alert records are a small share of events: a partial covering index serves top-N signatures
      // (and signature filters) without touching the flow and protocol records of the same day.
      await db.schema
        .createIndex('monitor_events_org_sig')
        .on('monitor_events')
        .columns(['org_id', 'ts', 'signature'])
        .where(sql.ref('signature'), 'is not', null)
        .execute();
      await db.schema
        .createIndex('monitor_events_org_flow')
        .on('monitor_events')
        .columns(['org_id', 'flow_id'])
        .execute();

      await db.schema
        .createTable('monitor_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('yaml', 'text', (c) => c.notNull())
        .addColumn('file', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('monitor_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('rule_title', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('severity', 'integer', (c) => c.notNull())
        .addColumn('risk', 'integer', (c) => c.notNull())
        .addColumn('technique', 'text')
        .addColumn('tactic', 'text')
        .addColumn('src_ip', 'text')
        .addColumn('dst_ip', 'text')
        .addColumn('observer', 'text')
        .addColumn('count', t.bigint, (c) => c.notNull())
        .addColumn('first_seen', t.bigint, (c) => c.notNull())
        .addColumn('last_seen', t.bigint, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('assignee', 'text')
        .addColumn('close_reason', 'text')
        .addColumn('updated_at', t.bigint, (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('monitor_alerts_key').on('monitor_alerts').columns(['group_key', 'status']).execute();
      await db.schema
        .createIndex('monitor_alerts_org_last')
        .on('monitor_alerts')
        .columns(['org_id', 'last_seen'])
        .execute();
      await db.schema
        .createTable('monitor_alert_events')
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('event_seq', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('monitor_alert_events_pk', ['alert_id', 'event_seq'])
        .execute();
      await db.schema
        .createTable('monitor_alert_comments')
        .addColumn('id', t.autoId, (c) => c.primaryKey())
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('at', t.bigint, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('monitor_alert_comments_alert')
        .on('monitor_alert_comments')
        .column('alert_id')
        .execute();
      await db.schema
        .createTable('monitor_suppressions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('rule_id', 'text')
        .addColumn('signature_id', t.bigint)
        .addColumn('src_ip', 'text')
        .addColumn('until', t.bigint)
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('hits', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('monitor_webhooks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('min_severity', 'integer', (c) => c.notNull())
        .addColumn('repeat_ms', t.bigint, (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
    },
  },
  {
    name: 'monitor_002_alert_history',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('monitor_alert_history')
        .addColumn('id', t.autoId, (c) => c.primaryKey())
        .addColumn('alert_id', 'text', (c) => c.notNull())
        .addColumn('at', t.bigint, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('change', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('monitor_alert_history_alert')
        .on('monitor_alert_history')
        .column('alert_id')
        .execute();
    },
  },
  {
    // Per-event rows capped ingest near 40k events/s (a row and four index entries each); chunks of
    // 1024 events cost one row. Stored events carry over.
    name: 'monitor_003_event_chunks',
    up: (db, dialect) => migrateToChunks(db, dialect),
  },
];
