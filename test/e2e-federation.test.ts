/**
 * Two hubs, two processes, two data directories: Santander exports `* /weather/*` to Fujisawa
 * under an agreement both admins configure over REST. Simulated devices publish on Santander
 * while the Fujisawa process is killed (SIGKILL) and restarted; every covered reading arrives
 * once, nothing outside the agreement crosses, and revocation stops the link.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import {
  createPrincipalWithKey,
  enrollmentToken,
  startMsecUp,
  tempDataDir,
  type MsecProcess,
  removeTempDirs,
} from './helpers/e2e-platform.ts';
import { waitFor } from './helpers/net.ts';

interface Point {
  timestamp: number;
  value: number;
  deviceId: string;
  signature: string;
}

describe('federation between two msec processes (Santander → Fujisawa)', () => {
  let santander: MsecProcess;
  let fujisawa: MsecProcess;
  const work = tempDataDir('msec-e2e-fed-work-');
  const passFile = join(work, 'passphrase');

  beforeAll(async () => {
    writeFileSync(passFile, 'federation e2e passphrase', { mode: 0o600 });
    [santander, fujisawa] = await Promise.all([startMsecUp(), startMsecUp()]);
    const sAdmin = await santander.adminToken();
    const fAdmin = await fujisawa.adminToken();
    expect(
      (
        await santander.api('POST', '/api/v1/orgs', {
          token: sAdmin,
          body: { id: 'santander', name: 'Santander', kind: 'city' },
        })
      ).status,
    ).toBe(201);
    // Fujisawa's admin creates a service principal for the Santander hub and gives its API key to Santander's admin.
    const partner = await createPrincipalWithKey(fujisawa, 'fujisawa', 'santander-hub', ['provider']);
    const sId = (await santander.api('GET', '/api/v1/federation/identity', { token: sAdmin })).body;
    const fId = (await fujisawa.api('GET', '/api/v1/federation/identity', { token: fAdmin })).body;
    expect(sId.publicKey.kty).toBe('EC');
    const common = {
      id: 'sdr-fjs-weather',
      resources: ['*/weather/*'],
      pseudonymise: false,
      keepSignatures: true,
      validUntil: Date.now() + 86_400_000,
    };
    const imp = await fujisawa.api('POST', '/api/v1/federation/agreements', {
      token: fAdmin,
      body: { ...common, direction: 'import', localOrg: 'fujisawa', partner: 'santander', principalId: partner.id },
    });
    expect(imp.status).toBe(201);
    const exp = await santander.api('POST', '/api/v1/federation/agreements', {
      token: sAdmin,
      body: {
        ...common,
        direction: 'export',
        localOrg: 'santander',
        partner: 'fujisawa',
        endpoint: fujisawa.base,
        credential: partner.key,
        partnerKey: fId.publicKey,
      },
    });
    expect(exp.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([santander?.stop(), fujisawa?.stop()]);
    removeTempDirs();
  });

  const simulate = async (seconds: number) =>
    runMsec(
      [
        'device',
        'simulate',
        '--hub',
        santander.base,
        '--token',
        await enrollmentToken(santander, 'santander', 2),
        '--count',
        '2',
        '--rate',
        '5',
        '--duration',
        String(seconds),
        '--transport',
        'mqtt',
        '--mqtt-url',
        `mqtt://127.0.0.1:${santander.mqttPort}`,
        '--keystore-dir',
        join(work, `keys-${Date.now()}`),
        '--passphrase-file',
        passFile,
      ],
      { timeoutMs: 60_000 },
    );

  const history = async (p: MsecProcess, provider: string, service: string, resource: string): Promise<Point[]> => {
    const r = await p.api(
      'GET',
      `/api/v1/providers/${provider}/services/${service}/resources/${resource}/history?limit=1000`,
      { token: await p.adminToken() },
    );
    return r.status === 200 ? (r.body.items as Point[]) : [];
  };

  let thermometer = '';

  it('shares every covered reading once across a SIGKILL and restart of the partner; nothing else crosses', async () => {
    const run = simulate(8);
    // Let the link carry some readings, then crash Fujisawa while Santander's devices keep publishing.
    await waitFor(
      async () =>
        (await fujisawa.api('GET', '/api/v1/providers', { token: await fujisawa.adminToken() })).body.items?.length > 0,
      15_000,
      'first shared readings',
    );
    await fujisawa.kill();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    const downUntil = Date.now();
    fujisawa = await startMsecUp({ dataDir: fujisawa.dataDir, port: fujisawa.port, mqttPort: fujisawa.mqttPort });
    const sim = await run;
    expect(sim.code).toBe(0);
    const ids = [...sim.stdout.matchAll(/enrolled (\S+) \((\S+),/g)].map((m) => ({ id: m[1]!, kind: m[2]! }));
    thermometer = ids.find((d) => d.kind === 'temperature')!.id;
    const potentiometer = ids.find((d) => d.kind === 'potentiometer')!.id;

    const local = await history(santander, thermometer, 'weather', 'temperature');
    expect(local.length).toBeGreaterThan(20);
    // Readings were accepted while the partner was down (they must reach it later).
    expect(local.filter((p) => p.timestamp > downAt && p.timestamp < downUntil).length).toBeGreaterThan(3);
    await waitFor(
      async () =>
        (await history(fujisawa, `santander~${thermometer}`, 'weather', 'temperature')).length >= local.length,
      30_000,
      'all covered readings on Fujisawa',
    );
    const shared = await history(fujisawa, `santander~${thermometer}`, 'weather', 'temperature');
    expect(shared.map((p) => [p.timestamp, p.value])).toEqual(local.map((p) => [p.timestamp, p.value]));
    expect(shared.every((p) => p.deviceId === `santander~${thermometer}` && p.signature === 'verified')).toBe(true);

    // The potentiometer (adc/potentiometer) is outside the agreement: it never reaches Fujisawa.
    expect((await history(santander, potentiometer, 'adc', 'potentiometer')).length).toBeGreaterThan(0);
    const fAdmin = await fujisawa.adminToken();
    expect((await fujisawa.api('GET', `/api/v1/providers/santander~${potentiometer}`, { token: fAdmin })).status).toBe(
      404,
    );
    const providers = (await fujisawa.api('GET', '/api/v1/providers', { token: fAdmin })).body.items as Array<{
      provider: string;
    }>;
    expect(providers.map((p) => p.provider)).toEqual([`santander~${thermometer}`]);
  }, 60_000);

  it('stops sharing once revoked', async () => {
    const sAdmin = await santander.adminToken();
    expect(
      (await santander.api('POST', '/api/v1/federation/agreements/sdr-fjs-weather/revoke', { token: sAdmin })).status,
    ).toBe(200);
    const before = (await history(fujisawa, `santander~${thermometer}`, 'weather', 'temperature')).length;
    const sim = await simulate(2);
    expect(sim.code).toBe(0);
    const newThermometer = /enrolled (\S+) \(temperature,/.exec(sim.stdout)![1]!;
    expect((await history(santander, newThermometer, 'weather', 'temperature')).length).toBeGreaterThan(0);
    // The exporter polls every 250 ms; a second is ample for anything that would still cross.
    await new Promise((r) => setTimeout(r, 1500));
    const fAdmin = await fujisawa.adminToken();
    expect((await fujisawa.api('GET', `/api/v1/providers/santander~${newThermometer}`, { token: fAdmin })).status).toBe(
      404,
    );
    expect((await history(fujisawa, `santander~${thermometer}`, 'weather', 'temperature')).length).toBe(before);
    const listed = (await santander.api('GET', '/api/v1/federation/agreements', { token: sAdmin })).body
      .items as Array<{ id: string; status: string; exporter: unknown }>;
    expect(listed.find((a) => a.id === 'sdr-fjs-weather')).toMatchObject({ status: 'revoked', exporter: null });
  }, 60_000);
});
