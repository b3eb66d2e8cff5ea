import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/core/index.ts';
import { normaliseLine } from '../src/monitor/normalise/line.ts';
import { eventHistogram, eventTop, listEvents } from '../src/monitor/store/event-queries.ts';
import { insertEvents, type EventToStore } from '../src/monitor/store/events.ts';
import { applyRetention } from '../src/monitor/store/retention.ts';
import { monitorMigrations, type MonitorTables } from '../src/monitor/store/schema.ts';
import { eveLine } from './helpers/monitor.ts';
import { clearEvents, storedEvents } from './helpers/monitor-store.ts';
import { storeCases } from './helpers/stores.ts';

const T0 = Date.UTC(2026, 10, 30, 12);

function item(
  org: string,
  i: number,
  over: Partial<{ src: string; dport: number; gw: string; type: string }> = {},
): EventToStore {
  const line = eveLine({
    timeMs: T0 + i * 1000,
    event_type: over.type ?? 'flow',
    src_ip: over.src ?? `10.0.0.${i % 7}`,
    src_port: 1000 + i,
    dest_ip: '10.1.0.1',
    dest_port: over.dport ?? 80 + (i % 3),
    proto: 'TCP',
    host: over.gw ?? 'gw-1',
    flow_id: i,
  });
  const r = normaliseLine('eve', line, { org, now: T0 + 86_400_000 });
  if (!r.ok) throw new Error(r.reject.message);
  return { org, id: `gw-1:1:1:${i}`, event: r.event };
}

describe.each(storeCases)('monitor event store on $name', (storeCase) => {
  let store: Store;
  let db: Kysely<MonitorTables>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await storeCase.open(monitorMigrations);
    store = opened.store;
    cleanup = opened.cleanup;
    db = store.db.withTables<MonitorTables>();
  });
  afterAll(async () => {
    await cleanup();
  });

  it('stores an (org, id) once, however often and in whatever batches it comes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 30 }), { maxLength: 5 }),
        fc.constantFrom('santander', 'fujisawa'),
        async (batches, org) => {
          await clearEvents(db);
          const seen = new Set<number>();
          for (const b of batches) {
            const stored = await insertEvents(
              db,
              b.map((i) => item(org, i)),
              T0,
              store.dialect,
            );
            const fresh = [...new Set(b)].filter((i) => !seen.has(i));
            expect(stored.map((s) => s.item.id).sort()).toEqual(fresh.map((i) => `gw-1:1:1:${i}`).sort());
            // Every seq handed back is the row of that id (alerts link events by seq).
            const rows = await storedEvents(db, org);
            const seqOf = new Map(rows.map((r) => [r.id, r.seq]));
            for (const s of stored) expect(s.seq).toBe(seqOf.get(s.item.id));
            fresh.forEach((i) => seen.add(i));
          }
          const all = await storedEvents(db);
          expect(all).toHaveLength(seen.size);
          expect(new Set(all.map((r) => r.seq)).size).toBe(seen.size);
          // The id claims are exactly the stored events, at their seqs (a replay re-claims without gaps).
          const claims = await db.selectFrom('monitor_event_ids').select(['org_id', 'event_id', 'seq']).execute();
          expect(claims.map((c) => `${c.org_id}|${c.event_id}|${Number(c.seq)}`).sort()).toEqual(
            all.map((e) => `${e.org}|${e.id}|${e.seq}`).sort(),
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it('keeps the same id of two cities apart', async () => {
    await clearEvents(db);
    const a = await insertEvents(db, [item('santander', 1), item('fujisawa', 1)], T0, store.dialect);
    expect(a).toHaveLength(2);
  });

  it('answers filtered listings, histograms and top-N', async () => {
    await clearEvents(db);
    await insertEvents(
      db,
      Array.from({ length: 60 }, (_, i) => item('santander', i, { gw: i < 40 ? 'gw-1' : 'gw-2' })),
      T0,
      store.dialect,
    );
    await insertEvents(
      db,
      Array.from({ length: 10 }, (_, i) => item('fujisawa', i)),
      T0,
      store.dialect,
    );
    const all = { orgs: ['santander'] as string[] };
    const hist = await eventHistogram(db, store.dialect, { ...all, from: T0, to: T0 + 60_000 }, 10_000);
    expect(hist).toEqual([0, 1, 2, 3, 4, 5].map((k) => ({ t: T0 + k * 10_000, count: 10 })));
    const top = await eventTop(db, store.dialect, all, 'port', 3);
    expect(top).toEqual([
      { key: 80, count: 20 },
      { key: 81, count: 20 },
      { key: 82, count: 20 },
    ]);
    const gws = await eventTop(db, store.dialect, all, 'gateway', 5);
    expect(gws).toEqual([
      { key: 'gw-1', count: 40 },
      { key: 'gw-2', count: 20 },
    ]);
    const src = await listEvents(db, store.dialect, { ...all, src: '10.0.0.3', observer: 'gw-1' }, 100);
    expect(src.items.map((e) => e.doc.source)).toEqual(
      Array(src.items.length).fill({ ip: '10.0.0.3', port: expect.any(Number) }),
    );
    expect(src.items.length).toBe([...Array(40).keys()].filter((i) => i % 7 === 3).length);
    // Cursor pages cover everything once.
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const page = await listEvents(db, store.dialect, all, 7, cursor);
      seen.push(...page.items.map((e) => e.seq));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(60);
    expect(seen.length).toBe(60);
    const fuji = await listEvents(db, store.dialect, { orgs: ['fujisawa'] }, 100);
    expect(fuji.items.every((e) => e.org === 'fujisawa')).toBe(true);
    expect(fuji.items).toHaveLength(10);
  });

  it('deletes by age, then the oldest chunks down to the size bound, with their ids and alert links', async () => {
    await clearEvents(db);
    await insertEvents(
      db,
      Array.from({ length: 30 }, (_, i) => item('santander', i)),
      T0,
      store.dialect,
    );
    // Six batches ten days later: six chunks.
    for (let b = 0; b < 6; b++)
      await insertEvents(
        db,
        Array.from({ length: 10 }, (_, i) => item('santander', 100 + b * 10 + i)),
        T0 + 10 * 86_400_000 + b,
        store.dialect,
      );
    const old = await storedEvents(db);
    await db
      .insertInto('monitor_alert_events')
      .values(old.map((e) => ({ alert_id: 'al-test', event_seq: e.seq })))
      .execute();
    const byAge = await applyRetention(db, { maxAgeMs: 5 * 86_400_000 }, T0 + 11 * 86_400_000, store.dialect);
    expect(byAge.deletedByAge).toBe(30);
    const left = await storedEvents(db);
    expect(left.map((r) => r.id)).toEqual(Array.from({ length: 60 }, (_, i) => `gw-1:1:1:${100 + i}`));
    const links = await db.selectFrom('monitor_alert_events').select('event_seq').execute();
    expect(links.map((l) => Number(l.event_seq)).sort((a, b) => a - b)).toEqual(left.map((e) => e.seq));
    // A deleted event's id is forgotten: replayed, it is stored again.
    expect(await insertEvents(db, [item('santander', 0)], T0 + 11 * 86_400_000, store.dialect)).toHaveLength(1);
    expect(await insertEvents(db, [item('santander', 100)], T0 + 11 * 86_400_000, store.dialect)).toHaveLength(0);

    const chunks = async () =>
      (await db.selectFrom('monitor_event_chunks').select(['seq', 'bytes']).orderBy('seq').execute()).map((c) => ({
        seq: Number(c.seq),
        bytes: Number(c.bytes),
      }));
    const before = await chunks();
    expect(before).toHaveLength(7);
    const eventsBefore = (await storedEvents(db)).length;
    const total = before.reduce((s, c) => s + c.bytes, 0);
    const bound = Math.floor(total / 2);
    const bySize = await applyRetention(db, { maxBytes: bound }, T0 + 11 * 86_400_000, store.dialect);
    expect(bySize.storedBytes).toBeLessThanOrEqual(bound);
    const after = await chunks();
    expect(after.reduce((s, c) => s + c.bytes, 0)).toBe(bySize.storedBytes);
    // Only the oldest went: what is left is a suffix, and one more chunk would not have fit.
    expect(after).toEqual(before.slice(before.length - after.length));
    expect(bySize.storedBytes + before[before.length - after.length - 1]!.bytes).toBeGreaterThan(bound);
    expect(bySize.deletedBySize).toBe(eventsBefore - (await storedEvents(db)).length);
    expect(bySize.deletedBySize).toBeGreaterThan(0);
  });
});
