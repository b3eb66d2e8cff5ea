import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey } from 'node:crypto';
import { verifyReading } from '../src/device/index.ts';
import { HUB_HISTORY } from '../src/hub/index.ts';
import { postReading } from './helpers/devices.ts';
import { SimDevice } from './helpers/hub-devices.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { CuttableProxy } from './helpers/hub-proxy.ts';
import { freePort, waitFor } from './helpers/net.ts';

interface Point {
  value: number;
  deviceId: string;
  signature: string;
  seq: number;
}

describe('federation between two hubs (Santander exports to Fujisawa)', () => {
  let santander: HubTestPlatform;
  let fujisawa: HubTestPlatform;
  let proxy: CuttableProxy;
  let airDevice: SimDevice;
  let trafficDevice: SimDevice;
  let sAdmin: string;
  let fAdmin: string;

  beforeAll(async () => {
    santander = await startHubPlatform({ data: { broker: false, federationPollMs: 50 } });
    fujisawa = await startHubPlatform({ data: { broker: false } });
    sAdmin = await santander.adminToken();
    fAdmin = await fujisawa.adminToken();
    await santander.platform.ctx.iam.directory.createOrg({ id: 'santander', name: 'Santander', kind: 'city' });
    await fujisawa.platform.ctx.iam.directory.createOrg({ id: 'fujisawa', name: 'Fujisawa', kind: 'city' });
    airDevice = await SimDevice.create(santander, 'air-1', 'santander');
    trafficDevice = await SimDevice.create(santander, 'traffic-1', 'santander');
    proxy = new CuttableProxy(await freePort(), {
      host: '127.0.0.1',
      port: Number(new URL(fujisawa.platform.url).port),
    });
    await proxy.restore();

    // Fujisawa: a service principal for Santander, its API key, and the import side.
    const partner = await fujisawa.principal('fujisawa', 'santander-hub', ['provider']);
    const sKey = (await santander.request('GET', '/api/v1/federation/identity', { token: sAdmin })).json();
    const fKey = (await fujisawa.request('GET', '/api/v1/federation/identity', { token: fAdmin })).json();
    expect(sKey.publicKey.kty).toBe('EC');
    const common = {
      id: 'sdr-fjs-1',
      resources: ['air-*/weather/*'],
      pseudonymise: false,
      keepSignatures: true,
      validUntil: Date.now() + 86400_000,
    };
    const imp = await fujisawa.request('POST', '/api/v1/federation/agreements', {
      token: fAdmin,
      body: { ...common, direction: 'import', localOrg: 'fujisawa', partner: 'santander', principalId: partner.id },
    });
    expect(imp.statusCode).toBe(201);
    const exp = await santander.request('POST', '/api/v1/federation/agreements', {
      token: sAdmin,
      body: {
        ...common,
        direction: 'export',
        localOrg: 'santander',
        partner: 'fujisawa',
        endpoint: `http://127.0.0.1:${proxy.port}`,
        credential: partner.key,
        partnerKey: fKey.publicKey,
      },
    });
    expect(exp.statusCode).toBe(201);
  });

  afterAll(async () => {
    await proxy.cut();
    await santander.close();
    await fujisawa.close();
    await airDevice.close();
    await trafficDevice.close();
  });

  /** The device POSTs a signed reading to Santander over HTTP with its device credential. */
  const ingest = async (device: SimDevice, resource: string, value: number) => {
    const res = await postReading(
      santander.platform.url,
      await device.reading(resource, value, Date.now()),
      await device.credential(),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ deviceId: device.id, resource, value });
  };

  const fujisawaHistory = async (): Promise<Point[]> => {
    const res = await fujisawa.request(
      'GET',
      '/api/v1/providers/santander~air-1/services/weather/resources/pm25/history?limit=1000',
      { token: fAdmin },
    );
    return res.statusCode === 200 ? (res.json().items as Point[]) : [];
  };

  it('shares covered readings across a cut link with no loss and no duplicates, and nothing outside the agreement', async () => {
    for (let i = 0; i < 10; i++) await ingest(airDevice, 'air-1/weather/pm25', i);
    await ingest(trafficDevice, 'traffic-1/road/count', 99);
    await waitFor(async () => (await fujisawaHistory()).length === 10, 10_000, 'first readings shared');

    await proxy.cut();
    for (let i = 10; i < 30; i++) await ingest(airDevice, 'air-1/weather/pm25', i);
    await new Promise((r) => setTimeout(r, 600));
    expect((await fujisawaHistory()).length).toBe(10);
    await proxy.restore();
    await waitFor(
      async () => (await fujisawaHistory()).length === 30,
      20_000,
      'readings shared after the link came back',
    );

    const points = await fujisawaHistory();
    expect(points.map((p) => p.value)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(new Set(points.map((p) => p.deviceId))).toEqual(new Set(['santander~air-1']));
    expect(points.every((p) => p.signature === 'verified')).toBe(true);
    const traffic = await fujisawa.request('GET', '/api/v1/providers/santander~traffic-1', { token: fAdmin });
    expect(traffic.statusCode).toBe(404);
    const twin = (await fujisawa.request('GET', '/api/v1/providers/santander~air-1', { token: fAdmin })).json();
    expect(twin).toMatchObject({ org: 'fujisawa', origin: 'santander' });
  });

  it('keeps the original COSE so Fujisawa can verify it against the exported device key', async () => {
    const history = fujisawa.platform.ctx.services.get(HUB_HISTORY);
    const row = await history.db
      .selectFrom('hub_history')
      .selectAll()
      .where('origin', '=', 'santander')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const keyRow = await (
      fujisawa.platform.ctx.store.db as import('kysely').Kysely<
        import('../src/hub/federation/schema.ts').FederationTables
      >
    )
      .selectFrom('hub_fed_device_keys')
      .selectAll()
      .executeTakeFirstOrThrow();
    const key = createPublicKey({ key: JSON.parse(keyRow.jwk), format: 'jwk' });
    const { reading } = await verifyReading(row.cose!, () => key);
    expect(reading).toMatchObject({ deviceId: 'air-1', resource: 'air-1/weather/pm25', value: 0 });
    expect(key.export({ format: 'jwk' })).toEqual((await airDevice.publicKey()).export({ format: 'jwk' }));
  });

  it('after the device rotates its key, readings signed before and after both cross verified, each with the key that signed it', async () => {
    // Taken by the link while it is cut, so both readings wait and are exported after the rotation.
    await proxy.cut();
    await ingest(airDevice, 'air-1/weather/pm25', 100);
    const oldKey = (await airDevice.publicKey()).export({ format: 'jwk' });
    await airDevice.rotateKey(santander.platform.url);
    await ingest(airDevice, 'air-1/weather/pm25', 101);
    const newKey = (await airDevice.publicKey()).export({ format: 'jwk' });
    expect(newKey).not.toEqual(oldKey);
    await proxy.restore();
    await waitFor(async () => (await fujisawaHistory()).length === 32, 20_000, 'readings around the rotation shared');
    const points = (await fujisawaHistory()).slice(-2);
    expect(points.map((p) => [p.value, p.signature])).toEqual([
      [100, 'verified'],
      [101, 'verified'],
    ]);
    // Each stored COSE verifies with the key the device had when it signed it, and with no other.
    const history = fujisawa.platform.ctx.services.get(HUB_HISTORY);
    const rows = await history.db
      .selectFrom('hub_history')
      .select(['cose', 'value'])
      .where('origin', '=', 'santander')
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    const [after, before] = rows;
    expect([before!.value, after!.value]).toEqual(['100', '101']);
    const keyObject = (jwk: typeof oldKey) => createPublicKey({ key: jwk, format: 'jwk' });
    await expect(verifyReading(before!.cose!, () => keyObject(oldKey))).resolves.toMatchObject({
      reading: { value: 100 },
    });
    await expect(verifyReading(after!.cose!, () => keyObject(newKey))).resolves.toMatchObject({
      reading: { value: 101 },
    });
    await expect(verifyReading(before!.cose!, () => keyObject(newKey))).rejects.toMatchObject({
      code: 'COSE_BAD_SIGNATURE',
    });
  });

  it('stops at once when revoked, and refuses a push from anyone but the partner principal', async () => {
    const revoke = await santander.request('POST', '/api/v1/federation/agreements/sdr-fjs-1/revoke', { token: sAdmin });
    expect(revoke.statusCode).toBe(200);
    for (let i = 30; i < 35; i++) await ingest(airDevice, 'air-1/weather/pm25', i);
    await new Promise((r) => setTimeout(r, 500));
    expect((await fujisawaHistory()).length).toBe(32);
    const other = await fujisawa.principal('fujisawa', 'intruder', ['provider']);
    const push = await fujisawa.request('POST', '/api/v1/federation/inbound', {
      token: other.key,
      body: { agreementId: 'sdr-fjs-1', nonce: 'abcdefgh12', items: [] },
    });
    expect(push.statusCode).toBe(403);
  });
});
