/** `msec up --demo`, device part: demo cities, enrolled devices, accepted readings, clean stop. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SUBJECTS } from '../src/core/index.ts';
import { hubModule, type AcceptedReading } from '../src/hub/index.ts';
import type { PlatformModule } from '../src/core/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { waitFor } from './helpers/net.ts';

let t: TestPlatform;
let mod: PlatformModule;
const accepted: AcceptedReading[] = [];

beforeAll(async () => {
  mod = hubModule({ broker: false });
  t = await startTestPlatform({ modules: [mod] });
  t.platform.ctx.bus.subscribe(SUBJECTS.readingAccepted, (e) => void accepted.push(e.data as AcceptedReading));
  await mod.demo!(t.platform.ctx);
});

afterAll(async () => t?.close());

it('enrolls devices in Santander and Fujisawa and publishes their signed readings through the ingest path', async () => {
  const list = (await t.request('GET', '/api/v1/devices', { token: await t.adminToken() })).json() as {
    items: Array<{ id: string; org: string }>;
  };
  expect(new Set(list.items.map((d) => d.org))).toEqual(new Set(['santander', 'fujisawa']));
  expect(list.items).toHaveLength(6);
  await waitFor(async () => new Set(accepted.map((r) => r.org)).size === 2, 20_000, 'demo readings from both cities');
  expect(accepted.every((r) => r.signature === 'verified' && r.provider === r.deviceId)).toBe(true);
});

it('stops its timers on stop()', async () => {
  await mod.stop!();
  const count = accepted.length;
  await new Promise((r) => setTimeout(r, 1500));
  expect(accepted.length).toBe(count);
});
