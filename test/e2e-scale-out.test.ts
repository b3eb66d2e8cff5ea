/**
 * Scale-out: two `msec up` processes share one PostgreSQL database, one Redis and one NATS. A
 * device enrolled and publishing on hub B is seen by a subscriber on hub A, the replay counter is
 * shared (a reading accepted by B is refused as a replay by A), and the ledger logs every
 * accepted reading exactly once although both processes run it.
 */
import { spawn } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeviceCredential, enrollDevice, signReading, SoftwareKeyStore } from '../src/device/index.ts';
import {
  createPrincipalWithKey,
  enrollmentToken,
  removeTempDirs,
  startMsecUp,
  tempDataDir,
  type MsecProcess,
} from './helpers/e2e-platform.ts';
import { runMsec } from './helpers/cli.ts';
import { TEST_DATABASE_URL } from './helpers/stores.ts';

const REDIS_URL = process.env.MSEC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS_URL = process.env.MSEC_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function query<T>(databaseUrl: string, sqlText: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query(sqlText)).rows as T[];
  } finally {
    await c.end();
  }
}

async function admin(sqlText: string): Promise<void> {
  await query(TEST_DATABASE_URL, sqlText);
}

describe('two hub processes on one PostgreSQL, one Redis and one NATS', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `msec_scale_${suffix}`;
  // Redis pub/sub is global: a unique organisation keeps this test's topics to itself.
  const org = `scale-${suffix}`;
  // Its own NATS subjects and stream: other runs on this NATS stay out of it.
  const natsPrefix = `scale_${suffix}`;
  let databaseUrl: string;
  let a: MsecProcess;
  let b: MsecProcess;

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
    const env = {
      MSEC_DATABASE_URL: databaseUrl,
      MSEC_REDIS_URL: REDIS_URL,
      MSEC_NATS_URL: NATS_URL,
      MSEC_NATS_PREFIX: natsPrefix,
    };
    a = await startMsecUp({ env });
    // Hubs of one deployment share the platform's keys (token signing, the hub's ECDH key).
    const bDir = tempDataDir();
    cpSync(join(a.dataDir, 'keys'), join(bDir, 'keys'), { recursive: true });
    b = await startMsecUp({ dataDir: bDir, env });
  }, 90_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    const nc = await connect({ servers: NATS_URL.replace(/^nats:\/\//, '') });
    await (await nc.jetstreamManager()).streams.delete(`${natsPrefix.toUpperCase()}_EVENTS`).catch(() => undefined);
    await nc.close();
    removeTempDirs();
  });

  it('delivers on hub A what a device publishes on hub B, and shares replay protection', async () => {
    const token = await a.adminToken();
    expect(
      (await a.api('POST', '/api/v1/orgs', { token, body: { id: org, name: 'Scale town', kind: 'city' } })).status,
    ).toBe(201);
    const consumer = await createPrincipalWithKey(a, 'buyer', `buyer-${suffix}`, ['consumer']);
    const rule = await a.api('POST', '/api/v1/access-rules', {
      token,
      body: {
        org,
        principalId: consumer.id,
        provider: '*',
        service: '*',
        resource: '*',
        access: 'READ',
        effect: 'allow',
      },
    });
    expect(rule.status).toBe(201);
    // The same admin token works on B: one identity store, one signing key.
    expect((await b.api('GET', '/api/v1/me', { token })).status).toBe(200);

    const sub = spawn('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(a.mqttPort),
      '-u',
      'x',
      '-P',
      consumer.key,
      '-t',
      `data/${org}/#`,
      '-C',
      '3',
      '-W',
      '30',
      '-q',
      '1',
      '-V',
      'mqttv311',
    ]);
    let out = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<number | null>((r) => sub.on('close', r));
    await new Promise((r) => setTimeout(r, 500));

    const work = tempDataDir('msec-scale-work-');
    const passFile = join(work, 'pass');
    writeFileSync(passFile, 'scale passphrase', { mode: 0o600 });
    const sim = await runMsec(
      [
        'device',
        'simulate',
        '--hub',
        b.base,
        '--token',
        await enrollmentToken(a, org, 1),
        '--count',
        '1',
        '--rate',
        '4',
        '--duration',
        '2',
        '--transport',
        'mqtt',
        '--mqtt-url',
        `mqtt://127.0.0.1:${b.mqttPort}`,
        '--keystore-dir',
        join(work, 'keys'),
        '--passphrase-file',
        passFile,
      ],
      { timeoutMs: 40_000 },
    );
    expect(sim.code).toBe(0);
    expect(await done).toBe(0);
    const messages = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { org: string; signature: string });
    expect(messages).toHaveLength(3);
    expect(messages.every((m) => m.org === org && m.signature === 'verified')).toBe(true);

    // A reading accepted by B is a replay on A.
    const store = await SoftwareKeyStore.open({
      dir: join(work, 'dev2'),
      passphrase: 'p2 passphrase',
      scrypt: { N: 1024, r: 8, p: 1 },
    });
    await enrollDevice({
      hub: b.base,
      token: await enrollmentToken(a, org, 1),
      deviceId: `twice-${suffix}`,
      keyStore: store,
      metadata: { name: 'twice', type: 'other', transducers: [] },
    });
    const credential = await createDeviceCredential(store, 'signing', `twice-${suffix}`);
    const reading = await signReading(store, 'signing', `twice-${suffix}`, {
      deviceId: `twice-${suffix}`,
      resource: `twice-${suffix}/env/temp`,
      value: 20,
      counter: 1,
      timestamp: Date.now(),
    });
    const post = (base: string) =>
      fetch(`${base}/api/v1/readings`, {
        method: 'POST',
        headers: { 'content-type': 'application/cose', authorization: `Bearer ${credential}` },
        body: reading,
      });
    expect((await post(b.base)).status).toBe(202);
    const again = await post(a.base);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('READING_REPLAYED');
    await store.close();
  });

  it('logs each accepted reading in the ledger once, though both processes run the ledger on one bus', async () => {
    // Stopping flushes each process's pending batch.
    expect(await b.stop()).toBe(0);
    expect(await a.stop()).toBe(0);
    const [history] = await query<{ n: string }>(databaseUrl, 'SELECT count(*) AS n FROM hub_history');
    const [logged] = await query<{ n: string; distinct: string }>(
      databaseUrl,
      'SELECT count(*) AS n, count(DISTINCT r.reading_hash) AS distinct FROM ledger_batch_readings r JOIN ledger_reading_batches b ON b.batch_id = r.batch_id WHERE b.entry_idx IS NOT NULL',
    );
    expect(Number(history!.n)).toBeGreaterThan(3); // the simulated readings and the one posted twice
    expect(Number(logged!.n)).toBe(Number(history!.n));
    expect(Number(logged!.distinct)).toBe(Number(logged!.n));
  });
});
