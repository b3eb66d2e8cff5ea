/**
 * Ledger durability across a crash: readings the hub accepted while their batch was still open
 * in memory are logged after a SIGKILL and restart (recovered from the hub's history), each once.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/core/index.ts';
import {
  createDeviceCredential,
  createSensor,
  enrollDevice,
  SoftwareKeyStore,
  VirtualDevice,
} from '../src/device/index.ts';
import type { LedgerModuleTables } from '../src/ledger/index.ts';
import { CHEAP_SCRYPT, postReading } from './helpers/devices.ts';
import { enrollmentToken, startMsecUp, tempDataDir, type MsecProcess, removeTempDirs } from './helpers/e2e-platform.ts';
import { waitFor } from './helpers/net.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** How many logged-batch rows hold each hash (read straight from the data directory's store). */
async function loggedCounts(dataDir: string, hashes: string[]): Promise<number[]> {
  const store = await openStore({ dataDir });
  try {
    const db: Kysely<LedgerModuleTables> = store.db.withTables<LedgerModuleTables>();
    const rows = await db
      .selectFrom('ledger_batch_readings as r')
      .innerJoin('ledger_reading_batches as b', 'b.batch_id', 'r.batch_id')
      .select('r.reading_hash')
      .where('b.entry_idx', 'is not', null)
      .execute();
    const all = rows.map((r) => Buffer.from(r.reading_hash).toString('hex'));
    return hashes.map((h) => all.filter((x) => x === h).length);
  } finally {
    await store.close();
  }
}

describe('ledger batches survive a crash', () => {
  let hub: MsecProcess;
  let keyStore: SoftwareKeyStore;
  const work = tempDataDir('msec-e2e-ledger-work-');

  afterAll(async () => {
    await keyStore?.close();
    await hub?.stop();
    removeTempDirs();
  });

  it('logs every acknowledged reading after a SIGKILL mid-batch, and none twice', async () => {
    hub = await startMsecUp();
    const admin = await hub.adminToken();
    expect(
      (
        await hub.api('POST', '/api/v1/orgs', {
          token: admin,
          body: { id: 'santander', name: 'Santander', kind: 'city' },
        })
      ).status,
    ).toBe(201);
    keyStore = await SoftwareKeyStore.open({
      dir: join(work, 'dev'),
      passphrase: 'ledger durability',
      scrypt: CHEAP_SCRYPT,
    });
    await enrollDevice({
      hub: hub.base,
      token: await enrollmentToken(hub, 'santander'),
      deviceId: 'ledger-dev-1',
      keyStore,
      metadata: createSensor('temperature').describe('ledger-dev-1'),
    });
    const device = new VirtualDevice('ledger-dev-1', keyStore, 'signing', createSensor('temperature'));
    const credential = await createDeviceCredential(keyStore, 'signing', 'ledger-dev-1');
    const send = async () => {
      const bytes = await device.nextReading();
      const r = await postReading(hub.base, bytes, credential);
      expect(r.status).toBeLessThan(300);
      return sha256(bytes);
    };
    const history = async () =>
      (
        await hub.api('GET', '/api/v1/providers/ledger-dev-1/services/weather/resources/temperature/history', {
          token: admin,
        })
      ).body.items?.length ?? 0;

    // Wait for a batch to seal, so the next one stays open (5 s period) while we send and crash.
    const first = await send();
    await waitFor(
      async () => (await hub.api('GET', `/api/v1/ledger/readings/${first}/proof`, { token: admin })).status === 200,
      15_000,
      'the first batch',
    );
    const pending = [await send(), await send(), await send(), await send(), await send()];
    await waitFor(async () => (await history()) === 6, 5_000, 'readings in the history');
    await hub.kill();

    expect(await loggedCounts(hub.dataDir, [first, ...pending])).toEqual([1, 0, 0, 0, 0, 0]);

    hub = await startMsecUp({ dataDir: hub.dataDir, port: hub.port, mqttPort: hub.mqttPort });
    const token = await hub.adminToken();
    for (const h of pending) {
      const proof = await hub.api('GET', `/api/v1/ledger/readings/${h}/proof`, { token });
      expect(proof.status).toBe(200);
      expect(proof.body).toMatchObject({ reading: { readingHash: h, batchSize: 5 } });
    }
    expect((await hub.api('GET', '/api/v1/ledger/checkpoint', { token })).body.size).toBeGreaterThan(1);
    expect(await hub.stop()).toBe(0);
    expect(await loggedCounts(hub.dataDir, [first, ...pending])).toEqual([1, 1, 1, 1, 1, 1]);
  }, 60_000);
});
