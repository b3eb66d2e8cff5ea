/**
 * Federation at an agreed aggregation: Santander shares one-minute averages of its air readings
 * with Fujisawa instead of every reading. Readings are sent with device times a few minutes back,
 * so their windows have already closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postReading } from './helpers/devices.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { waitFor } from './helpers/net.ts';

interface Point {
  value: number;
  deviceId: string;
  signature: string;
  timestamp: number;
}

describe('federation of window aggregates (one-minute averages)', () => {
  let santander: HubTestPlatform;
  let fujisawa: HubTestPlatform;
  let air: SimDevice;
  let sAdmin: string;
  let fAdmin: string;
  const WINDOW_MS = 60_000;
  // A window that closed well before now, yet within the hub's five-minute freshness window.
  const firstWindow = Math.floor((Date.now() - 200_000) / WINDOW_MS) * WINDOW_MS;

  beforeAll(async () => {
    santander = await startHubPlatform({ data: { broker: false, federationPollMs: 50 } });
    fujisawa = await startHubPlatform({ data: { broker: false } });
    sAdmin = await santander.adminToken();
    fAdmin = await fujisawa.adminToken();
    await santander.ensureOrg('santander');
    await fujisawa.ensureOrg('fujisawa');
    air = await SimDevice.create(santander, 'air-7', 'santander');
    const partner = await fujisawa.principal('fujisawa', 'santander-hub', ['provider']);
    const fKey = (await fujisawa.request('GET', '/api/v1/federation/identity', { token: fAdmin })).json();
    const averages = {
      id: 'sdr-fjs-avg',
      resources: ['air-*/weather/pm25', 'air-*/weather/temperature'],
      pseudonymise: false,
      keepSignatures: false,
      decimals: 1,
      aggregate: { windowSeconds: 60, statistic: 'avg' },
    };
    // A second link shares humidity readings one by one, but under a pseudonym.
    const pseudonymous = {
      id: 'sdr-fjs-ps',
      resources: ['air-*/weather/humidity'],
      pseudonymise: true,
      keepSignatures: false,
    };
    const link = async (terms: Record<string, unknown>) => {
      const validUntil = Date.now() + 86400_000;
      expect(
        (
          await fujisawa.request('POST', '/api/v1/federation/agreements', {
            token: fAdmin,
            body: {
              ...terms,
              validUntil,
              direction: 'import',
              localOrg: 'fujisawa',
              partner: 'santander',
              principalId: partner.id,
            },
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (
          await santander.request('POST', '/api/v1/federation/agreements', {
            token: sAdmin,
            body: {
              ...terms,
              validUntil,
              direction: 'export',
              localOrg: 'santander',
              partner: 'fujisawa',
              endpoint: fujisawa.platform.url,
              credential: partner.key,
              partnerKey: fKey.publicKey,
            },
          })
        ).statusCode,
      ).toBe(201);
    };
    // Readings first, so the first push finds them all.
    const send = async (resource: string, value: number, at: number) => {
      const res = await postReading(
        santander.platform.url,
        await air.reading(resource, value, at),
        await air.credential(),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(202);
    };
    for (const [v, dt] of [
      [10, 5_000],
      [20, 20_000],
      [31, 40_000],
    ] as const)
      await send('air-7/weather/pm25', v, firstWindow + dt);
    await send('air-7/weather/temperature', 5, firstWindow + 10_000); // same device and window, other resource
    await send('air-7/weather/pm25', 40, firstWindow + WINDOW_MS + 1_000); // the next window
    await send('air-7/weather/humidity', 55, Date.now());
    await link(averages);
    await link(pseudonymous);
  }, 60_000);

  afterAll(async () => {
    await santander?.close();
    await fujisawa?.close();
    await air?.close();
  });

  const history = async (resource: string): Promise<Point[]> => {
    const res = await fujisawa.request(
      'GET',
      `/api/v1/providers/santander~air-7/services/weather/resources/${resource}/history?from=0&limit=100`,
      { token: fAdmin },
    );
    return res.statusCode === 200 ? (res.json().items as Point[]) : [];
  };

  it('shares one value per device, resource and closed window, never the readings themselves', async () => {
    await waitFor(
      async () => (await history('pm25')).length === 2 && (await history('temperature')).length === 1,
      15_000,
      'aggregates shared',
    );
    const pm25 = await history('pm25');
    expect(pm25.map((p) => [p.timestamp, p.value])).toEqual([
      [firstWindow, 20.3],
      [firstWindow + WINDOW_MS, 40],
    ]);
    expect(pm25.every((p) => p.deviceId === 'santander~air-7#weather/pm25' && p.signature === 'partner')).toBe(true);
    expect((await history('temperature')).map((p) => p.value)).toEqual([5]);
    // A further push of the same windows changes nothing (the cursor is past them; the store is idempotent).
    await new Promise((r) => setTimeout(r, 300));
    expect(await history('pm25')).toHaveLength(2);
  });

  it('a pseudonymous link hides the device in the provider name too (a device publishes under its own id)', async () => {
    const providers = async () =>
      (
        (await fujisawa.request('GET', '/api/v1/providers', { token: fAdmin })).json() as {
          items: Array<{ provider: string; services: string[] }>;
        }
      ).items;
    await waitFor(
      async () => (await providers()).some((p) => /^santander~ps-[0-9a-f]{16}$/.test(p.provider)),
      15_000,
      'pseudonymous provider shared',
    );
    const hidden = (await providers()).find((p) => p.provider.startsWith('santander~ps-'))!;
    const res = await fujisawa.request(
      'GET',
      `/api/v1/providers/${hidden.provider}/services/weather/resources/humidity/history?from=0&limit=10`,
      { token: fAdmin },
    );
    expect((res.json().items as Point[]).map((p) => [p.value, p.deviceId])).toEqual([[55, hidden.provider]]);
    // Nowhere does the device's own id carry humidity.
    expect((await history('humidity')).length).toBe(0);
  });

  it('refuses agreements that would keep signatures of aggregates, or aggregate by an unknown statistic', async () => {
    const bad = async (body: object) =>
      (await santander.request('POST', '/api/v1/federation/agreements', { token: sAdmin, body })).statusCode;
    const base = {
      direction: 'import',
      localOrg: 'santander',
      partner: 'fujisawa',
      principalId: 'x',
      resources: ['*'],
      pseudonymise: false,
      validUntil: Date.now() + 1000,
    };
    expect(await bad({ ...base, keepSignatures: true, aggregate: { windowSeconds: 60, statistic: 'avg' } })).toBe(400);
    expect(await bad({ ...base, keepSignatures: false, aggregate: { windowSeconds: 60, statistic: 'median' } })).toBe(
      400,
    );
    expect(await bad({ ...base, keepSignatures: false, aggregate: { windowSeconds: 30, statistic: 'avg' } })).toBe(400);
  });
});
