import type { Kysely } from 'kysely';
import { decodeTimes } from '../../src/monitor/store/chunk-codec.ts';
import type { MonitorTables } from '../../src/monitor/store/schema.ts';

export interface StoredEvent {
  seq: number;
  org: string;
  id: string;
  ts: number;
  chunk: number;
}

/** Every stored event, decoded from the chunks (what a test checks the store against), by seq. */
export async function storedEvents(db: Kysely<MonitorTables>, org?: string): Promise<StoredEvent[]> {
  let q = db.selectFrom('monitor_event_chunks').select(['seq', 'org_id', 'count', 'ts_min', 'ts', 'event_id']);
  if (org) q = q.where('org_id', '=', org);
  const out: StoredEvent[] = [];
  for (const c of await q.orderBy('seq').execute()) {
    const ids = JSON.parse(c.event_id) as string[];
    const ts = decodeTimes(c.ts, Number(c.ts_min), Number(c.count));
    ids.forEach((id, i) => out.push({ seq: Number(c.seq) + i, org: c.org_id, id, ts: ts[i]!, chunk: Number(c.seq) }));
  }
  return out;
}

/** Empties the event store (chunks and id claims). */
export async function clearEvents(db: Kysely<MonitorTables>): Promise<void> {
  await db.deleteFrom('monitor_event_chunks').execute();
  await db.deleteFrom('monitor_event_ids').execute();
}
