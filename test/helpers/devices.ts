/** Shared set-up of the devices integration tests: a listening platform with the devices module. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/core/index.ts';
import { SoftwareKeyStore } from '../../src/device/index.ts';
import { HUB_DEVICES, hubModule, type DevicesHub } from '../../src/hub/index.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';

export const CHEAP_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

export interface DeviceHubFixture {
  t: TestPlatform;
  url: string;
  hub: DevicesHub;
  workDir: string;
  adminToken: string;
  token(org?: string, maxUses?: number): Promise<string>;
  softwareStore(name: string): Promise<SoftwareKeyStore>;
  close(): Promise<void>;
}

export async function startDeviceHub(
  opts: { store?: Store; freshnessWindowMs?: number } = {},
): Promise<DeviceHubFixture> {
  const t = await startTestPlatform({
    modules: [
      hubModule({
        broker: false,
        ...(opts.freshnessWindowMs !== undefined ? { devices: { freshnessWindowMs: opts.freshnessWindowMs } } : {}),
      }),
    ],
    listen: true,
    ...(opts.store ? { store: opts.store } : {}),
  });
  const adminToken = await t.adminToken();
  const org = await t.request('POST', '/api/v1/orgs', {
    token: adminToken,
    body: { id: 'santander', name: 'Santander', kind: 'city' },
  });
  if (org.statusCode !== 201) throw new Error(`org: ${org.body}`);
  const workDir = mkdtempSync(join(tmpdir(), 'msec-devices-'));
  const stores: SoftwareKeyStore[] = [];
  return {
    t,
    url: t.platform.url,
    hub: t.platform.ctx.services.get(HUB_DEVICES),
    workDir,
    adminToken,
    async token(orgId = 'santander', maxUses = 1) {
      const res = await t.request('POST', '/api/v1/devices/enrollment-tokens', {
        token: adminToken,
        body: { org: orgId, maxUses },
      });
      if (res.statusCode !== 201) throw new Error(`token: ${res.body}`);
      return (res.json() as { token: string }).token;
    },
    async softwareStore(name) {
      const s = await SoftwareKeyStore.open({
        dir: join(workDir, name),
        passphrase: 'test passphrase',
        scrypt: CHEAP_SCRYPT,
      });
      stores.push(s);
      return s;
    },
    async close() {
      for (const s of stores) await s.close().catch(() => undefined);
      await t.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** POSTs a reading as the device would over HTTP. */
export async function postReading(
  url: string,
  bytes: Uint8Array,
  token: string,
): Promise<{ status: number; body: { error?: { code: string }; [k: string]: unknown } }> {
  const res = await fetch(`${url}/api/v1/readings`, {
    method: 'POST',
    headers: { 'content-type': 'application/cose', authorization: `Bearer ${token}` },
    body: bytes,
  });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}
