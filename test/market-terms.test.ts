import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { ledgerModule } from '../src/ledger/index.ts';
import { marketModule } from '../src/market/index.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { connectMqtt, startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { waitFor } from './helpers/net.ts';

const MSEC = 1_000_000;
const TOPIC = 'data/santander/air-2/weather/temperature';

/**
 * A listing's precision and aggregation terms bind what its buyers receive: the settlement's grant
 * carries them and the hub applies them on MQTT, SSE and HTTP.
 */
describe('market: listing terms are enforced on the grant a purchase creates', () => {
  let t: HubTestPlatform;
  let device: SimDevice;
  let admin: string;
  let seller: { key: string; id: string };
  let rounded: { key: string; id: string };
  let aggregated: { key: string; id: string };
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    t = await startHubPlatform({ alsoModules: [ledgerModule(), marketModule({ sweepMs: 100 })] });
    admin = await t.adminToken();
    seller = await t.principal('santander', 'santander-terms', ['provider']);
    rounded = await t.principal('buyer', 'rounded-app', ['consumer']);
    aggregated = await t.principal('buyer2', 'aggregate-app', ['consumer']);
    device = await SimDevice.create(t, 'air-2', 'santander');
    await publish([20.123]);
    await waitFor(
      async () =>
        (await t.request('GET', '/api/v1/providers/air-2/services/weather/resources/temperature', { token: admin }))
          .statusCode === 200,
      10_000,
      'twin',
    );
    for (const who of [rounded, aggregated])
      expect(
        (
          await t.request('POST', '/api/v1/market/mint', {
            token: admin,
            body: { principalId: who.id, amount: 10 * MSEC },
          })
        ).statusCode,
      ).toBe(201);
    const base = { pricing: 'per-period', price: MSEC, periodSeconds: 3600, licence: 'CC-BY-4.0' };
    const list = async (kind: string, terms: Record<string, unknown>) => {
      const r = await api('POST', '/market/listings', seller.key, {
        kind,
        provider: 'air-2',
        service: 'weather',
        resource: 'temperature',
        terms: { ...base, ...terms },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    const whole = await list('live', { decimals: 0 });
    const windows = await list('aggregate', { aggregate: { windowSeconds: 60, statistic: 'max' }, decimals: 1 });
    expect((await api('POST', `/market/listings/${whole}/buy`, rounded.key, { quantity: 1 })).statusCode).toBe(201);
    expect((await api('POST', `/market/listings/${windows}/buy`, aggregated.key, { quantity: 1 })).statusCode).toBe(
      201,
    );
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    await device?.close();
    await t?.close();
  });

  async function publish(values: number[]): Promise<void> {
    const c = await connectMqtt(t.mqttPort, device.id, await device.credential(), device.id);
    for (const v of values)
      await c.publishAsync(
        `devices/${device.id}/readings`,
        Buffer.from(await device.reading(`${device.id}/weather/temperature`, v, Date.now(), 'C')),
        { qos: 1 },
      );
    await c.endAsync();
  }
  const api = (method: string, url: string, key: string, body?: unknown) =>
    t.request(method, `/api/v1${url}`, { headers: { 'x-api-key': key }, ...(body !== undefined ? { body } : {}) });

  async function subscribe(name: string, key: string): Promise<Array<Record<string, unknown>>> {
    const got: Array<Record<string, unknown>> = [];
    const c = await connectMqtt(t.mqttPort, name, key, `${name}-${Date.now()}`);
    clients.push(c);
    c.on('message', (_topic, payload) => got.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await c.subscribeAsync(TOPIC, { qos: 1 });
    return got;
  }

  it('a buyer of a precision-limited listing receives rounded values over MQTT, without the exact signed bytes', async () => {
    const whole = await subscribe('rounded-app', rounded.key);
    const windows = await subscribe('aggregate-app', aggregated.key);
    // The admin (the data's own platform) sees the exact stream beside them.
    const exact = await subscribe('admin', admin);
    await publish([21.37, 22.61]);
    await waitFor(async () => whole.length >= 2 && exact.length >= 2, 15_000, 'deliveries');
    expect(exact.map((m) => m.value)).toEqual([21.37, 22.61]);
    expect(exact[0]!.cose).toEqual(expect.any(String));
    expect(whole.map((m) => m.value)).toEqual([21, 23]);
    for (const m of whole) {
      expect(m.cose).toBeUndefined();
      expect(m.terms).toEqual({ decimals: 0 });
    }
    // Aggregate-only access gets no single readings live.
    expect(windows).toEqual([]);
  });

  it('over HTTP the same buyer reads the value, latest and history rounded', async () => {
    const path = '/providers/air-2/services/weather/resources/temperature';
    // The twin takes the reading after history stored it and MQTT delivered it.
    await waitFor(
      async () => (await t.request('GET', `/api/v1${path}`, { token: admin })).json().value === 22.61,
      10_000,
      'twin value',
    );
    const value = (await api('GET', path, rounded.key)).json();
    expect(value.value).toBe(23);
    expect((await api('GET', `${path}/latest`, rounded.key)).json().value).toBe(23);
    const history = (await api('GET', `${path}/history`, rounded.key)).json();
    expect(history.items.map((x: { value: number }) => x.value)).toEqual([20, 21, 23]);
    const buckets = (
      await api('GET', `${path}/history?bucket=86400000&from=${Date.now() - 3_600_000}`, rounded.key)
    ).json().buckets as Array<{ count: number; min: number; max: number; avg: number }>;
    const filled = buckets.filter((b) => b.count > 0);
    expect(Math.max(...filled.map((b) => b.max))).toBe(23);
    expect(Math.min(...filled.map((b) => b.min))).toBe(20);
    for (const b of filled) expect(Number.isInteger(b.avg)).toBe(true);
    // The exact values are still there for the data's owner.
    expect((await t.request('GET', `/api/v1${path}`, { token: admin })).json().value).toBe(22.61);
  });

  it('a buyer of a window-aggregate listing reads only the windows’ statistic over HTTP, no single values', async () => {
    const path = '/providers/air-2/services/weather/resources/temperature';
    expect((await api('GET', path, aggregated.key)).statusCode).toBe(403);
    expect((await api('GET', `${path}/latest`, aggregated.key)).statusCode).toBe(403);
    const r = (await api('GET', `${path}/history`, aggregated.key)).json();
    expect(r.aggregate).toEqual({ windowSeconds: 60, statistic: 'max' });
    const total = r.buckets.reduce((n: number, b: { count: number }) => n + b.count, 0);
    expect(total).toBe(3);
    const maxes = r.buckets.map((b: { value: number }) => b.value);
    expect(Math.max(...maxes)).toBe(22.6);
    for (const b of r.buckets) expect(Object.keys(b).sort()).toEqual(['count', 'start', 'statistic', 'value']);
  });
});
