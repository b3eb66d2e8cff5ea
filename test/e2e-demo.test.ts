/**
 * `msec up --demo` as a newcomer runs it: within a minute both cities' devices have accepted
 * readings with names and map locations, tampered and replayed readings and replayed attacks are
 * refused with reasons in the audit log, the ledger has a checkpoint, Fujisawa's own hub holds
 * Santander's shared readings, and SIGTERM ends it cleanly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CAMERA } from '../src/anonymizer/demo.ts';
import { DEMO_DEVICES } from '../src/hub/devices/demo.ts';
import { startMsecUp, type MsecProcess, removeTempDirs } from './helpers/e2e-platform.ts';
import { waitFor } from './helpers/net.ts';

/** Where each demo sensor kind publishes (service/resource). */
const RESOURCE_OF: Record<string, string> = {
  temperature: 'weather/temperature',
  'air-quality': 'air/pm25',
  parking: 'parking/occupied',
  potentiometer: 'adc/potentiometer',
};

interface AuditEntry {
  actorId?: string | null;
  action: string;
  ip: string | null;
  status: number | null;
  detail: { code?: string; reason?: string; error?: string; aggregated?: boolean; since?: string } | null;
}

describe('msec up --demo', () => {
  let demo: MsecProcess;
  let admin: string;

  beforeAll(async () => {
    demo = await startMsecUp({ args: ['--demo'] });
    admin = await demo.adminToken();
  }, 60_000);

  afterAll(async () => {
    if (demo) await demo.kill();
    removeTempDirs();
  });

  const denied = async (): Promise<AuditEntry[]> =>
    (await demo.api('GET', '/api/v1/audit?outcome=denied&limit=1000', { token: admin })).body.items as AuditEntry[];

  it('prints what runs and where', async () => {
    await waitFor(async () => demo.output().includes('log in as admin'), 10_000, 'the demo summary');
    const out = demo.output();
    expect(out).toContain(`hub (Santander and Fujisawa as organisations): ${demo.base}`);
    expect(out).toContain(`MQTT mqtt://127.0.0.1:${demo.mqttPort}`);
    for (const d of DEMO_DEVICES) expect(out).toContain(d.id);
    expect(out).toContain(join(demo.dataDir, 'admin-credential.json'));
  });

  it('runs devices of both cities whose readings are accepted, each with a name and a map location', async () => {
    const devices = (await demo.api('GET', '/api/v1/devices', { token: admin })).body.items as Array<{
      id: string;
      org: string;
    }>;
    // The sensors; the anonymized camera enrols on its own once its detector is loaded.
    const sensors = devices.map((d) => d.id).filter((id) => id !== DEMO_CAMERA.id);
    expect(sensors.sort()).toEqual(DEMO_DEVICES.map((d) => d.id).sort());
    for (const d of DEMO_DEVICES) {
      await waitFor(
        async () =>
          (
            await demo.api(
              'GET',
              `/api/v1/providers/${d.id}/services/${RESOURCE_OF[d.kind]!.replace('/', '/resources/')}/history`,
              { token: admin },
            )
          ).body.items?.length > 1,
        60_000,
        `readings of ${d.id}`,
      );
      const twin = (await demo.api('GET', `/api/v1/providers/${d.id}`, { token: admin })).body;
      expect(twin).toMatchObject({
        org: d.org,
        admin: { friendlyName: d.name, location: { type: 'Point', coordinates: d.at } },
      });
      const [lon, lat] = d.at;
      if (d.org === 'santander') expect(Math.abs(lat - 43.46) < 0.1 && Math.abs(lon + 3.8) < 0.1).toBe(true);
      else expect(Math.abs(lat - 35.34) < 0.1 && Math.abs(lon - 139.49) < 0.1).toBe(true);
    }
  }, 120_000);

  it('refuses replayed attacks and misbehaving devices, with the reasons in the audit log', async () => {
    await waitFor(
      async () => {
        const codes = new Set(
          (await denied()).filter((e) => e.action === 'hub:reading:ingest').map((e) => e.detail?.code),
        );
        return codes.has('COSE_BAD_SIGNATURE') && codes.has('READING_REPLAYED');
      },
      40_000,
      'a tampered and a replayed demo reading refused',
    );
    // Anonymous refusals (forged tokens, the MQTT flood) land as one counted row per source and
    // reason when their window ends (5 s in the demo).
    await waitFor(
      async () => {
        const e = await denied();
        return e.some((x) => x.ip === '198.51.100.23' && x.detail?.aggregated) && e.some((x) => x.ip === '127.0.0.2');
      },
      30_000,
      'aggregated anonymous refusals',
    );
    const entries = await denied();
    expect(
      entries.filter((e) => e.action === 'hub:reading:ingest').every((e) => (e.detail?.reason ?? '').length > 0),
    ).toBe(true);
    expect(entries.some((e) => e.action === 'iam:session:login' && e.ip === '203.0.113.7' && e.status === 401)).toBe(
      true,
    );
    expect(
      entries.some((e) => e.ip === '198.51.100.23' && e.status === 401 && e.detail?.error === 'TOKEN_INVALID'),
    ).toBe(true);
    const flood = entries.filter((e) => e.ip === '127.0.0.2').map((e) => e.action);
    expect(flood).toContain('hub:mqtt:auth-failed');
    expect(flood.some((a) => a === 'hub:mqtt:connect-throttled' || a === 'hub:mqtt:connection-flood')).toBe(true);
    // One row per (source, reason) and window: the flood does not bury the log.
    const keys = entries
      .filter((e) => e.actorId === null && e.detail?.aggregated)
      .map((e) => `${e.ip}/${e.detail?.reason as string}/${e.detail?.since as string}`);
    expect(new Set(keys).size).toBe(keys.length);
    // The attacker's address is throttled, not the local clients: the admin still reads over HTTP and MQTT users on 127.0.0.1 are unaffected.
    expect(entries.some((e) => e.ip === '127.0.0.1' && e.action.startsWith('hub:mqtt:'))).toBe(false);
  }, 80_000);

  it('logs reading batches in the ledger', async () => {
    await waitFor(
      async () => (await demo.api('GET', '/api/v1/ledger/checkpoint', { token: admin })).body.size > 0,
      15_000,
      'a ledger checkpoint',
    );
  }, 20_000);

  it('links to Fujisawa’s own hub: Santander’s shared readings arrive there with verified signatures, nothing else', async () => {
    const url = /Fujisawa's own hub \(in this process, data in (\S+)\): (http:\/\/127\.0\.0\.1:\d+)/.exec(
      demo.output(),
    );
    expect(url).not.toBeNull();
    const [, partnerDir, partnerUrl] = url!;
    const { password } = JSON.parse(readFileSync(join(partnerDir!, 'admin-credential.json'), 'utf8')) as {
      password: string;
    };
    const login = await fetch(`${partnerUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const get = async (path: string) => {
      const r = await fetch(`${partnerUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return {
        status: r.status,
        body: (await r.json()) as { items?: Array<{ signature: string; deviceId: string; provider: string }> },
      };
    };
    const path = '/api/v1/providers/santander~santander-temperature-1/services/weather/resources/temperature/history';
    await waitFor(
      async () => ((await get(path)).body.items?.length ?? 0) > 0,
      15_000,
      'shared readings on the partner hub',
    );
    const points = (await get(path)).body.items!;
    expect(points.every((p) => p.signature === 'verified' && p.deviceId === 'santander~santander-temperature-1')).toBe(
      true,
    );
    const providers = (await get('/api/v1/providers')).body.items!.map((p) => p.provider);
    expect(providers.every((p) => p.startsWith('santander~'))).toBe(true);
    // Parking is outside the agreement; Fujisawa's devices are not Santander's to share.
    expect(providers).not.toContain('santander~santander-parking-3');
    expect(providers.some((p) => p.includes('fujisawa-'))).toBe(false);
  }, 30_000);

  it("ships each city gateway's replayed IDS attacks through the real agent into the monitor, as alerts with their ATT&CK ids", async () => {
    type Alert = { org: string; rule: { id: string }; observer?: string; mitre: { technique: string } };
    const fromGateways = async () =>
      ((await demo.api('GET', '/api/v1/monitor/alerts?kind=ids&limit=200', { token: admin })).body.items as Alert[])
        // The IoT ruleset's own sids (1711000-1711999), as the demo gateways' Suricata would raise them.
        .filter((a) => /^suricata:1:1711\d{3}$/.test(a.rule.id));
    await waitFor(
      async () => new Set((await fromGateways()).map((a) => a.org)).size === 2,
      40_000,
      'IoT-ruleset alerts from both cities',
    );
    const alerts = await fromGateways();
    expect(alerts.every((a) => /^T\d{4}/.test(a.mitre.technique))).toBe(true);
  }, 50_000);

  it('exits 0 on SIGTERM', async () => {
    expect(await demo.stop()).toBe(0);
  }, 20_000);
});
