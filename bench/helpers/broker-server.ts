/**
 * The hub side of bench/broker.ts, in its own process so that the embedded broker is measured
 * like Mosquitto: alone in its process, the mqtt.js clients elsewhere. Starts the platform with
 * the real devices module and the hub data module on free ports and a temporary data directory,
 * creates an operator with an API key and a device enrollment token, and tells the parent over
 * IPC. The parent then asks for `{ cmd: 'stored', deviceIds }` (history rows, after a flush) and
 * finally `{ cmd: 'stop' }`. Run as `node --import tsx bench/helpers/broker-server.ts` with an IPC channel.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, silentLogger } from '../../src/core/index.ts';
import { HUB_BROKER, HUB_HISTORY, hubModule } from '../../src/hub/index.ts';
import { startPlatform } from '../../src/server/index.ts';
import { freePort } from '../../test/helpers/net.ts';

export interface BrokerServerReady {
  ready: true;
  httpUrl: string;
  mqttPort: number;
  /** API key of an operator of org `santander` (publishes under apps/, reads data/). */
  opsKey: string;
  /** Enrollment token for org `santander`, good for `maxDevices` devices. */
  enrollmentToken: string;
}

export type BrokerServerRequest = { cmd: 'stored'; deviceIds: string[] } | { cmd: 'busy' } | { cmd: 'stop' };
/** `stored`: history rows of those devices; `busy`: event-loop utilisation and CPU microseconds (user + system, all threads) since the last `busy`. */
export type BrokerServerReply = { stored?: number; busy?: number; cpuMicros?: number };

const ORG = 'santander';

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('broker-server: start me with an IPC channel (bench/broker.ts does)');
  const maxDevices = Number(process.env.BENCH_DEVICES ?? 16);
  const dataDir = mkdtempSync(join(tmpdir(), 'msec-bench-broker-'));
  const config = loadConfig({
    env: {},
    flags: {
      dataDir,
      host: '127.0.0.1',
      port: 0,
      mqttPort: await freePort(),
      logLevel: 'silent',
      auth: { passwordHashCost: 10 },
    },
  });
  const platform = await startPlatform({ config, logger: silentLogger(), listen: true, modules: [hubModule()] });
  const inject = async (method: 'GET' | 'POST', url: string, body: unknown, token?: string) => {
    const res = await platform.app.inject({
      method,
      url,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: JSON.stringify(body),
    });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, unknown>;
  };
  const admin = JSON.parse(readFileSync(platform.adminCredentialFile!, 'utf8')) as { password: string };
  const token = String(
    (await inject('POST', '/api/v1/auth/login', { username: 'admin', password: admin.password })).accessToken,
  );
  await inject('POST', '/api/v1/orgs', { id: ORG, name: 'Santander', kind: 'city' }, token);
  const { iam } = platform.ctx;
  const ops = await iam.directory.createPrincipal({
    orgId: ORG,
    kind: 'service',
    name: 'bench-ops',
    roles: ['operator'],
  });
  const { key: opsKey } = await iam.apiKeys.create(ops.id, 'bench-ops-key');
  const enrollmentToken = String(
    (await inject('POST', '/api/v1/devices/enrollment-tokens', { org: ORG, maxUses: maxDevices }, token)).token,
  );
  const broker = platform.ctx.services.get(HUB_BROKER)!;
  const history = platform.ctx.services.get(HUB_HISTORY);

  const stop = async () => {
    await platform.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('disconnect', () => void stop());
  let elu = performance.eventLoopUtilization();
  let cpu = process.cpuUsage();
  process.on('message', (m: BrokerServerRequest) => {
    if (m.cmd === 'stop') return void stop();
    if (m.cmd === 'busy') {
      const now = performance.eventLoopUtilization();
      const used = process.cpuUsage(cpu);
      send({
        busy: performance.eventLoopUtilization(now, elu).utilization,
        cpuMicros: used.user + used.system,
      } satisfies BrokerServerReply);
      elu = now;
      cpu = process.cpuUsage();
      return;
    }
    void (async () => {
      await history.flush();
      const row = await history.db
        .selectFrom('hub_history')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('device_id', 'in', m.deviceIds)
        .executeTakeFirstOrThrow();
      send({ stored: Number(row.n) } satisfies BrokerServerReply);
    })();
  });
  send({
    ready: true,
    httpUrl: platform.url,
    mqttPort: broker.port,
    opsKey,
    enrollmentToken,
  } satisfies BrokerServerReady);
}

await main();
