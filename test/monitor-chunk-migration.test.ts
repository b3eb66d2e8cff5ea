import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Store } from '../src/core/index.ts';
import { normaliseLine } from '../src/monitor/normalise/line.ts';
import { eventsBySeq, listEvents } from '../src/monitor/store/event-queries.ts';
import { insertEvents } from '../src/monitor/store/events.ts';
import { monitorMigrations, type MonitorTables } from '../src/monitor/store/schema.ts';
import { eveLine } from './helpers/monitor.ts';
import { storedEvents } from './helpers/monitor-store.ts';
import { storeCases } from './helpers/stores.ts';

const T0 = Date.UTC(2026, 10, 30, 12);
const before003 = monitorMigrations.filter((m) => m.name !== 'monitor_003_event_chunks');

describe.each(storeCases)('monitor_003 carries per-event rows into chunks on $name', (storeCase) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await storeCase.open(before003));
  });
  afterAll(async () => {
    await cleanup();
  });

  it('keeps every event, its columns, its record and its alert links', async () => {
    const old = store.db as Kysely<any>;
    // Two batches of one city and one of another, written as monitor_001 stored them.
    const rows = Array.from({ length: 25 }, (_, i) => {
      const org = i < 20 ? 'santander' : 'fujisawa';
      const line = eveLine({
        timeMs: T0 + (i % 10 === 3 ? -5000 : i * 1000),
        event_type: 'alert',
        src_ip: `10.0.0.${i}`,
        src_port: 1000 + i,
        dest_ip: '10.1.0.1',
        dest_port: 1883,
        proto: 'TCP',
        flow_id: 500 + i,
        alert: { signature_id: 2000 + i, signature: `sig ${i}`, severity: 1 },
      });
      const r = normaliseLine('eve', line, { org, now: T0 + 3_600_000 });
      if (!r.ok) throw new Error(r.reject.message);
      const c = r.event.columns;
      return {
        org_id: org,
        event_id: `gw:${i}`,
        ts: r.event.timeMs,
        received_at: i < 10 ? T0 : T0 + 1,
        type: 'eve',
        ...c,
        raw: r.event.raw,
        bytes: r.event.raw.length,
      };
    });
    await old.insertInto('monitor_events').values(rows).execute();
    const oldSeqs = (await old.selectFrom('monitor_events').select(['seq', 'event_id']).execute()) as Array<{
      seq: number;
      event_id: string;
    }>;
    const seqOfOld = new Map(oldSeqs.map((r) => [r.event_id, Number(r.seq)]));
    await old
      .insertInto('monitor_alert_events')
      .values(['gw:3', 'gw:12', 'gw:22'].map((id) => ({ alert_id: 'al-1', event_seq: seqOfOld.get(id)! })))
      .execute();

    await migrate(store, monitorMigrations);
    const db = store.db.withTables<MonitorTables>();
    const events = await storedEvents(db);
    expect(events.map((e) => e.id).sort()).toEqual(rows.map((r) => r.event_id).sort());
    // One chunk per (city, receive time), each sorted by time.
    expect(new Set(events.map((e) => e.chunk)).size).toBe(3);
    for (const chunk of new Set(events.map((e) => e.chunk))) {
      const ts = events.filter((e) => e.chunk === chunk).map((e) => e.ts);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    const links = await db.selectFrom('monitor_alert_events').select('event_seq').execute();
    const linked = await eventsBySeq(
      db,
      links.map((l) => Number(l.event_seq)),
    );
    expect(linked.map((e) => e.id).sort()).toEqual(['gw:12', 'gw:22', 'gw:3']);
    expect(linked.find((e) => e.id === 'gw:12')!.doc.source).toEqual({ ip: '10.0.0.12', port: 1012 });
    const bySig = await listEvents(db, store.dialect, { orgs: ['santander'], rule: '2007' }, 10);
    expect(bySig.items.map((e) => e.id)).toEqual(['gw:7']);
    // The id claims came over: a replay stores nothing; new events number above the old ones.
    const again = normaliseLine('eve', rows[0]!.raw, { org: 'santander', now: T0 + 3_600_000 });
    if (!again.ok) throw new Error('fixture');
    expect(await insertEvents(db, [{ org: 'santander', id: 'gw:0', event: again.event }], T0, store.dialect)).toEqual(
      [],
    );
    const fresh = await insertEvents(db, [{ org: 'santander', id: 'gw:new', event: again.event }], T0, store.dialect);
    expect(fresh[0]!.seq).toBeGreaterThan(Math.max(...events.map((e) => e.seq)));
  });
});
