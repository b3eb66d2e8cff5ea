/** Where an event came from, as the Sigma rules see it (see CONTRACTS.md section 2). */
export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

/** The ingest types of the agent contract, plus the platform's own events from the bus. */
export type IngestType = 'eve' | 'auth' | 'syslog' | 'json' | 'platform';

/** What the ingest side knows about a line besides its text. */
export interface IngestMeta {
  org: string;
  /** The gateway (agent name); the record's own host field wins where it has one. */
  observer?: string | undefined;
  /** Receive time, ms: the clock that judges future and far-past timestamps. */
  now: number;
}

/** The indexed columns the dashboards filter and aggregate on, extracted once at ingest. */
export interface EventColumns {
  dataset: string;
  severity: number | null;
  observer: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  transport: string | null;
  protocol: string | null;
  flow_id: string | null;
  signature: string | null;
  signature_id: number | null;
  technique: string | null;
}

/** One event in the common schema: ECS-named document, logsource, columns, and the original record. */
export interface NormalisedEvent {
  type: IngestType;
  timeMs: number;
  logsource: Logsource;
  /** ECS document (nested objects); the original record sits under its product's key. */
  doc: Record<string, unknown>;
  columns: EventColumns;
  /** The original record as received. */
  raw: string;
}

/** A permanent refusal of one item: counted and reported, never retried. */
export interface ItemReject {
  code: string;
  message: string;
}

export type NormaliseResult = { ok: true; event: NormalisedEvent } | { ok: false; reject: ItemReject };
