import type { Kysely, Transaction } from 'kysely';
import type { NormalisedEvent } from '../normalise/types.ts';
import type { MonitorTables } from './schema.ts';

export type MonitorDb = Kysely<MonitorTables> | Transaction<MonitorTables>;

/** An event ready to store: its (org, id) key and the common-schema record. */
export interface EventToStore {
  org: string;
  id: string;
  event: NormalisedEvent;
}

export interface StoredRef {
  seq: number;
  item: EventToStore;
}

// 21 bound values a row: 1000 rows stay under SQLite's 32766 and PostgreSQL's 65535 parameters.
const ROWS_PER_STATEMENT = 1000;

/**
 * Inserts a batch, skipping (org, id) pairs already stored, and returns the rows it stored with
 * their sequence numbers, in input order. A pair repeated inside the batch is stored once.
 */
export async function insertEvents(db: MonitorDb, items: EventToStore[], receivedAt: number): Promise<StoredRef[]> {
  const stored: StoredRef[] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) {
    const chunk = items.slice(i, i + ROWS_PER_STATEMENT);
    const rows = chunk.map(({ org, id, event: e }) => ({
      org_id: org,
      event_id: id,
      ts: e.timeMs,
      received_at: receivedAt,
      type: e.type,
      ...e.columns,
      raw: e.raw,
      bytes: e.raw.length,
    }));
    const returned = await db
      .insertInto('monitor_events')
      .values(rows)
      .onConflict((oc) => oc.columns(['org_id', 'event_id']).doNothing())
      .returning(['seq', 'org_id', 'event_id'])
      .execute();
    const byKey = new Map<string, number>();
    for (const r of returned) byKey.set(`${r.org_id}\u0000${r.event_id}`, Number(r.seq));
    for (const item of chunk) {
      const key = `${item.org}\u0000${item.id}`;
      const seq = byKey.get(key);
      if (seq !== undefined) {
        stored.push({ seq, item });
        byKey.delete(key); // a second copy in the same batch is a duplicate
      }
    }
  }
  return stored;
}
