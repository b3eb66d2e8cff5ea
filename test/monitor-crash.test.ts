/**
 * Ingest durability across a crash: a real `msec up` is killed (SIGKILL) while a client ships
 * batches as the gateway agent does (retrying a batch until it is acknowledged); after the restart
 * every acknowledged event is stored, and no event is stored twice.
 */
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/core/index.ts';
import type { MonitorTables } from '../src/monitor/index.ts';
import { createPrincipalWithKey, removeTempDirs, startMsecUp, type MsecProcess } from './helpers/e2e-platform.ts';
import { eveLine } from './helpers/monitor.ts';
import { storedEvents } from './helpers/monitor-store.ts';

const BATCHES = 30;
const PER_BATCH = 400;

async function storedIds(dataDir: string): Promise<{ ids: string[]; dupes: number }> {
  const store = await openStore({ dataDir });
  try {
    const db = store.db.withTables<MonitorTables>() as Kysely<MonitorTables>;
    const ids = (await storedEvents(db, 'santander')).map((e) => e.id);
    return { ids, dupes: ids.length - new Set(ids).size };
  } finally {
    await store.close();
  }
}

describe('monitor ingest survives kill -9', () => {
  let msec: MsecProcess | undefined;
  afterAll(async () => {
    await msec?.kill();
    removeTempDirs();
  });

  it('loses no acknowledged event and duplicates none', async () => {
    msec = await startMsecUp({ args: ['--role', 'monitor'] });
    const { key } = await createPrincipalWithKey(msec, 'santander', 'gw-crash', ['provider']);
    const t0 = Date.now() - 3_600_000;
    const batch = (b: number) =>
      Array.from({ length: PER_BATCH }, (_, i) => {
        const n = b * PER_BATCH + i;
        return {
          id: `gw-crash:2049:77:${n * 300}`,
          type: 'eve',
          line: eveLine({
            timeMs: t0 + n,
            event_type: 'flow',
            flow_id: n,
            src_ip: '10.9.0.1',
            src_port: 1024 + (n % 60000),
            dest_ip: '10.9.0.2',
            dest_port: 443,
            proto: 'TCP',
          }),
        };
      });
    const acked = new Set<string>();
    let attemptsFailed = 0;
    let base = msec.base;
    const ship = async () => {
      for (let b = 0; b < BATCHES; b++) {
        const events = batch(b);
        // Bounded retries, as the agent's backoff: the restart below takes a few seconds.
        for (let attempt = 0; ; attempt++) {
          if (attempt > 600) throw new Error(`batch ${b} never acknowledged`);
          try {
            const res = await fetch(`${base}/api/v1/monitor/ingest`, {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body: JSON.stringify({ agent: { name: 'gw-crash', version: 'test', org: 'santander' }, events }),
              signal: AbortSignal.timeout(30_000),
            });
            if (res.status === 200) {
              const r = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
              expect(r.accepted + r.duplicates).toBe(PER_BATCH);
              events.forEach((e) => acked.add(e.id));
              break;
            }
            attemptsFailed++;
          } catch {
            attemptsFailed++;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const shipping = ship();
    // Crash while batches are in flight, then restart on the same data directory and port.
    const deadline = Date.now() + 60_000;
    while (acked.size < 8 * PER_BATCH && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await msec.kill();
    const ackedAtCrash = new Set(acked);
    const before = await storedIds(msec.dataDir);
    const storedAtCrash = new Set(before.ids);
    expect([...ackedAtCrash].filter((id) => !storedAtCrash.has(id))).toEqual([]);
    msec = await startMsecUp({
      dataDir: msec.dataDir,
      port: msec.port,
      mqttPort: msec.mqttPort,
      args: ['--role', 'monitor'],
    });
    base = msec.base;
    await shipping;
    expect(attemptsFailed).toBeGreaterThan(0);
    expect(await msec.stop()).toBe(0);

    const after = await storedIds(msec.dataDir);
    expect(after.dupes).toBe(0);
    expect(after.ids.length).toBe(BATCHES * PER_BATCH);
    expect(new Set(after.ids).size).toBe(BATCHES * PER_BATCH);
    const stored = new Set(after.ids);
    expect([...acked].filter((id) => !stored.has(id))).toEqual([]);
  }, 240_000);
});
