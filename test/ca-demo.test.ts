/**
 * `msec up --demo`, CA part: demo devices get client certificates from msec's CA, and one of
 * them connects to the hub's mTLS MQTT listener with its certificate and publishes a signed
 * reading that the hub accepts.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SUBJECTS } from '../src/core/index.ts';
import { caModule } from '../src/ca/index.ts';
import { DEMO_MTLS_DEVICES, hubModule, type AcceptedReading } from '../src/hub/index.ts';
import { waitFor } from './helpers/net.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

let t: TestPlatform;
const hub = hubModule();
const accepted: AcceptedReading[] = [];

beforeAll(async () => {
  t = await startTestPlatform({ modules: [caModule(), hub], config: { mqttPort: 0, mqttMtlsPort: 0 } });
  t.platform.ctx.bus.subscribe(SUBJECTS.readingAccepted, (e) => void accepted.push(e.data as AcceptedReading));
  await hub.demo!(t.platform.ctx);
}, 120_000);

afterAll(async () => t?.close());

it('issues CA certificates to demo devices and one publishes over mTLS MQTT', async () => {
  const r = hub.demoMtls();
  expect(r?.outcome).toBe('published');
  expect(Object.keys(r!.issued).sort()).toEqual([...DEMO_MTLS_DEVICES].sort());
  const admin = await t.adminToken();
  for (const [id, serial] of Object.entries(r!.issued)) {
    const dir = join(t.dataDir, 'demo-devices', id);
    const cert = new X509Certificate(readFileSync(join(dir, 'client.crt')));
    expect(cert.subject).toContain(`CN=${id}`);
    expect(cert.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(serial.toLowerCase().replace(/^0+/, ''));
    expect(cert.verify(new X509Certificate(readFileSync(join(dir, 'ca.pem'))).publicKey)).toBe(true);
    expect(statSync(join(dir, 'client.key')).mode & 0o077).toBe(0);
    const st = await t.request('GET', `/api/v1/ca/status/${serial}`, { token: admin });
    expect(st.statusCode, st.body).toBe(200);
    expect(st.json().status).toBe('good');
  }
  // 'published' above is the broker's PUBACK on the mTLS connection; the device's readings are accepted.
  await waitFor(async () => accepted.some((a) => a.deviceId === DEMO_MTLS_DEVICES[0]), 30_000, 'accepted reading');
});
