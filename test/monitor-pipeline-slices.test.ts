/**
 * A batch is stored and evaluated a slice at a time (SLICE_EVENTS), and each slice writes its
 * alerts: a group that spans slices must still be one alert with the whole count, and the batch must
 * still report one change per alert to notifications and live views.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Store } from '../src/core/index.ts';
import type { AlertChange } from '../src/monitor/alerts/grouping.ts';
import { Suppressions } from '../src/monitor/alerts/suppressions.ts';
import { MonitorPipeline, SLICE_EVENTS } from '../src/monitor/detect/pipeline.ts';
import { createSigmaEngine, loadRulePack } from '../src/monitor/sigma/index.ts';
import { monitorMigrations, type MonitorTables } from '../src/monitor/store/schema.ts';
import { storeCases } from './helpers/stores.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');

/** `n` Suricata alerts of one signature between one source and one destination, 10 ms apart. */
function alertLines(n: number, from: number): Array<{ id: string; type: string; line: string }> {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const rec = {
      timestamp: new Date(T0 + i * 10).toISOString().replace('Z', '000+0000'),
      flow_id: 5_000_000 + i,
      event_type: 'alert',
      src_ip: '203.0.113.9',
      src_port: 40_000 + (i % 1000),
      dest_ip: '10.1.2.3',
      dest_port: 1883,
      proto: 'TCP',
      alert: {
        action: 'allowed',
        gid: 1,
        signature_id: 2_100_001,
        rev: 1,
        signature: 'ET TEST one group',
        severity: 2,
      },
    };
    return { id: `gw-1:7:1:${i * 300}`, type: 'eve', line: JSON.stringify(rec) };
  });
}

describe.each(storeCases)('alerts of a batch written slice by slice, on $name', (storeCase) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let db: Kysely<MonitorTables>;
  let pipeline: MonitorPipeline;
  const reported: AlertChange[][] = [];

  beforeAll(async () => {
    ({ store, cleanup } = await storeCase.open(monitorMigrations));
    db = store.db.withTables<MonitorTables>();
    const engine = createSigmaEngine();
    engine.load(loadRulePack());
    pipeline = new MonitorPipeline({
      db,
      dialect: store.dialect,
      engine,
      suppressions: new Suppressions(db),
      clock: { now: () => T0 + 3_600_000 },
      logger: silentLogger(),
      onAlerts: (changes) => reported.push(changes),
    });
  });
  afterAll(async () => {
    await cleanup();
  });

  it('keeps one alert with the whole count, and reports it once a batch', async () => {
    const n = 2 * SLICE_EVENTS + 500; // three slices
    expect((await pipeline.ingestLines('santander', 'gw-1', alertLines(n, 0))).accepted).toBe(n);
    const alerts = await db.selectFrom('monitor_alerts').selectAll().where('kind', '=', 'ids').execute();
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(Number(alert.count)).toBe(n);
    expect(Number(alert.first_seen)).toBe(T0);
    expect(Number(alert.last_seen)).toBe(T0 + (n - 1) * 10);
    expect(reported).toHaveLength(1);
    const mine = reported[0]!.filter((c) => c.id === alert.id);
    expect(mine).toEqual([
      expect.objectContaining({ created: true, count: n, firstSeen: T0, lastSeen: T0 + (n - 1) * 10 }),
    ]);
    // Every change of the batch names a distinct alert.
    expect(new Set(reported[0]!.map((c) => c.id)).size).toBe(reported[0]!.length);

    // The next batch grows the same alert: one change, not created.
    expect((await pipeline.ingestLines('santander', 'gw-1', alertLines(100, n))).accepted).toBe(100);
    const grown = reported[1]!.filter((c) => c.id === alert.id);
    expect(grown).toEqual([expect.objectContaining({ created: false, count: n + 100, firstSeen: T0 })]);
    const links = await db
      .selectFrom('monitor_alert_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('alert_id', '=', alert.id)
      .executeTakeFirstOrThrow();
    expect(Number(links.n)).toBe(200); // MAX_LINKED_EVENTS: the rest are reached by flow_id
  });
});
