/**
 * MQTT benchmark, the hub in its own process (bench/helpers/broker-server.ts) like Mosquitto, the
 * same mqtt.js clients here for both.
 * - Plain relay: QoS 0 and QoS 1 messages/s publisher -> broker -> subscriber, the embedded broker
 *   against the system Mosquitto (127.0.0.1:1883). Target ratio >= 0.5.
 * - Signed end to end: devices enrolled through the real enrollment API publish COSE-signed
 *   readings on devices/{id}/readings (username = device id, password = device credential); the
 *   hub verifies, stores and delivers each to one subscriber of data/santander/#. Readings/s
 *   against raw node:crypto ECDSA P-256 verify/s on one core. Target ratio >= 0.6.
 * Rounds are interleaved (hub, reference, hub, ...) and medians printed: the machine is shared.
 * Usage: run(['--messages', '20000', '--signed', '6000', '--rounds', '5']); '--signed-only' skips
 * the relay, '--relay-only' the signed readings; BENCH_HUB_CPU_PROF=dir writes a CPU profile of the hub process there.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { SoftwareKeyStore, signReading } from '../src/device/index.ts';
import { createDeviceCredential, enrollDevice } from '../src/device/simulator/index.ts';
import type { BrokerServerReady, BrokerServerReply, BrokerServerRequest } from './helpers/broker-server.ts';
import { argValue, median } from './helpers/measure.ts';
import { connectMqtt } from '../test/helpers/hub-platform.ts';

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** The hub platform in a child process; resolves once it has reported its ports and credentials. */
function startHub(
  devices: number,
): Promise<{ child: ChildProcess; ready: BrokerServerReady; ask(m: BrokerServerRequest): Promise<BrokerServerReply> }> {
  const script = fileURLToPath(new URL('./helpers/broker-server.ts', import.meta.url));
  const prof = process.env.BENCH_HUB_CPU_PROF;
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
    env: { ...process.env, BENCH_DEVICES: String(devices) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = (m: BrokerServerRequest) =>
    new Promise<BrokerServerReply>((resolve) => {
      child.once('message', (r) => resolve(r as BrokerServerReply));
      child.send(m);
    });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ready: m as BrokerServerReady, ask }));
    child.once('exit', (code) => reject(new Error(`broker-server exited with ${code}`)));
  });
}

/** Publishes `n` messages and resolves with messages/s once the subscriber has all of them. */
async function relay(pub: MqttClient, sub: MqttClient, topic: string, n: number, qos: 0 | 1): Promise<number> {
  let received = 0;
  // A broker may drop QoS 1 messages past its queue limits (Mosquitto's max_queued_messages):
  // fail with the count after 10 s without progress instead of hanging.
  let stall: NodeJS.Timeout | undefined;
  const all = new Promise<void>((resolve, reject) => {
    const arm = () => {
      clearTimeout(stall);
      stall = setTimeout(
        () => reject(new Error(`relay on ${topic}: ${received}/${n} messages received, none for 10 s`)),
        10_000,
      );
    };
    const on = () => {
      if (++received % 1000 === 0) arm();
      if (received === n) {
        clearTimeout(stall);
        sub.removeListener('message', on);
        resolve();
      }
    };
    arm();
    sub.on('message', on);
  });
  await sub.subscribeAsync(topic, { qos });
  const payload = Buffer.alloc(64, 7);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    if (qos === 0) pub.publish(topic, payload, { qos });
    else if (i % 500 === 499) await pub.publishAsync(topic, payload, { qos });
    else pub.publish(topic, payload, { qos });
  }
  await all;
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  await sub.unsubscribeAsync(topic);
  return n / secs;
}

/** Raw reference: node:crypto verify of a reading-sized message with a cached KeyObject. */
function rawVerifyPerSecond(seconds: number): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const msg = Buffer.alloc(120, 1);
  const sig = nodeSign('sha256', msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 100; i++) nodeVerify('sha256', msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
    count += 100;
  }
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

interface BenchDevice {
  id: string;
  client: MqttClient;
  store: SoftwareKeyStore;
  counter: number;
}

/** Enrolls devices through the hub's HTTP enrollment API and connects each as a device does. */
async function enrollDevices(ready: BrokerServerReady, count: number, workDir: string): Promise<BenchDevice[]> {
  const meta = {
    name: 'Thermometer',
    type: 'outdoor weather',
    transducers: [{ name: 'temperature', id: 'temperature', units: 'Cel', minValue: -40, maxValue: 60 }],
  };
  const out: BenchDevice[] = [];
  for (let d = 0; d < count; d++) {
    const id = `bench-${d}`;
    const store = await SoftwareKeyStore.open({
      dir: join(workDir, id),
      passphrase: 'bench passphrase',
      scrypt: { N: 2 ** 10, r: 8, p: 1 },
    });
    await enrollDevice({
      hub: ready.httpUrl,
      token: ready.enrollmentToken,
      deviceId: id,
      keyStore: store,
      metadata: meta,
    });
    const credential = await createDeviceCredential(store, 'signing', id, undefined, { lifetimeSeconds: 3600 });
    out.push({ id, store, counter: 1, client: await connectMqtt(ready.mqttPort, id, credential, id) });
  }
  return out;
}

type Batches = Array<{ device: BenchDevice; bytes: Buffer[] }>;

/** `n` readings spread over the devices, signed beforehand (not measured). */
async function signReadings(devices: BenchDevice[], n: number): Promise<Batches> {
  const batches: Batches = devices.map((device) => ({ device, bytes: [] }));
  for (let i = 0; i < n; i++) {
    const b = batches[i % devices.length]!;
    const { device } = b;
    const reading = {
      deviceId: device.id,
      resource: `${device.id}/weather/temperature`,
      value: 20 + (i % 10) / 10,
      unit: 'Cel',
      counter: device.counter++,
      timestamp: Date.now(),
    };
    b.bytes.push(Buffer.from(await signReading(device.store, 'signing', device.id, reading)));
  }
  return batches;
}

/** One signed round: every device publishes its readings; readings/s delivered to `sub`. */
async function signedRound(batches: Batches, sub: MqttClient): Promise<number> {
  const n = batches.reduce((sum, b) => sum + b.bytes.length, 0);
  let got = 0;
  const delivered = new Promise<void>((resolve) => {
    const on = () => {
      if (++got === n) {
        sub.removeListener('message', on);
        resolve();
      }
    };
    sub.on('message', on);
  });
  const start = process.hrtime.bigint();
  // Each device publishes its readings in order at QoS 1, as fast as the hub acknowledges.
  await Promise.all(
    batches.map(async ({ device, bytes }) => {
      const topic = `devices/${device.id}/readings`;
      for (let i = 0; i < bytes.length; i++) {
        if (i % 200 === 199 || i === bytes.length - 1) await device.client.publishAsync(topic, bytes[i]!, { qos: 1 });
        else device.client.publish(topic, bytes[i]!, { qos: 1 });
      }
    }),
  );
  await delivered;
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(args: string[]): Promise<void> {
  const n = argValue(args, '--messages', 20_000);
  const signedN = argValue(args, '--signed', 6_000);
  const rounds = argValue(args, '--rounds', 5);
  const deviceCount = argValue(args, '--devices', 8);
  const workDir = mkdtempSync(join(tmpdir(), 'msec-bench-devices-'));
  const hub = await startHub(deviceCount);
  const clients: MqttClient[] = [];
  try {
    const { ready } = hub;
    const connect = async (port: number, user: string, pass: string) => {
      const c = await connectMqtt(port, user, pass);
      clients.push(c);
      return c;
    };
    const hubPub = await connect(ready.mqttPort, 'ops', ready.opsKey);
    const hubSub = await connect(ready.mqttPort, 'ops', ready.opsKey);
    const mosPub = await connect(1883, 'bench', 'unused');
    const mosSub = await connect(1883, 'bench', 'unused');
    for (const qos of args.includes('--signed-only') ? [] : ([0, 1] as const)) {
      // A full unmeasured round on each broker first: the first round otherwise pays for JIT and
      // buffer growth and always comes out low.
      await relay(hubPub, hubSub, 'apps/santander/bench/warm', n, qos);
      await relay(mosPub, mosSub, `msec-bench/${process.pid}/warm`, n, qos);
      const ratios: number[] = [];
      const hubRates: number[] = [];
      const mosRates: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const h = await relay(hubPub, hubSub, 'apps/santander/bench/x', n, qos);
        const m = await relay(mosPub, mosSub, `msec-bench/${process.pid}/x`, n, qos);
        hubRates.push(h);
        mosRates.push(m);
        ratios.push(h / m);
      }
      console.log(
        `relay QoS${qos}: hub ${fmt(median(hubRates))} msg/s, mosquitto ${fmt(median(mosRates))} msg/s, median ratio ${median(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(' ')}] (target >= 0.5)`,
      );
    }

    if (args.includes('--relay-only')) return;
    const devices = await enrollDevices(ready, deviceCount, workDir);
    clients.push(...devices.map((d) => d.client));
    const sub = await connect(ready.mqttPort, 'ops', ready.opsKey);
    await sub.subscribeAsync('data/santander/#', { qos: 1 });
    await signedRound(await signReadings(devices, signedN), sub); // a full unmeasured round: the hub's caches and JIT
    const ratios: number[] = [];
    const rates: number[] = [];
    const raws: number[] = [];
    let total = signedN;
    const busy: number[] = [];
    // Hub CPU per reading: steadier than the rate on a shared machine, for comparing changes.
    const cpuPerReading: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const batches = await signReadings(devices, signedN);
      await hub.ask({ cmd: 'busy' });
      const e2e = await signedRound(batches, sub);
      const used = await hub.ask({ cmd: 'busy' });
      busy.push(used.busy ?? NaN);
      cpuPerReading.push((used.cpuMicros ?? NaN) / signedN);
      total += signedN;
      const raw = rawVerifyPerSecond(1);
      rates.push(e2e);
      raws.push(raw);
      ratios.push(e2e / raw);
    }
    const { stored = 0 } = await hub.ask({ cmd: 'stored', deviceIds: devices.map((d) => d.id) });
    if (stored !== total) throw new Error(`bench: ${stored} readings stored, ${total} sent`);
    console.log(
      `signed end to end (${deviceCount} devices, hub in its own process): ${fmt(median(rates))} readings/s (all ${stored} stored and delivered), ` +
        `hub event loop busy ${(median(busy) * 100).toFixed(0)} %, hub CPU ${median(cpuPerReading).toFixed(0)} µs/reading, raw verify ${fmt(median(raws))}/s, median ratio ${median(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(' ')}] (target >= 0.6)`,
    );
    for (const d of devices) await d.store.close();
  } finally {
    for (const c of clients) await c.endAsync().catch(() => undefined);
    hub.child.send({ cmd: 'stop' } satisfies BrokerServerRequest);
    await new Promise((r) => hub.child.once('exit', r));
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv.slice(2));
