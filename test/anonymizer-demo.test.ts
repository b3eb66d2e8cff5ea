/**
 * `msec up --demo` runs Fujisawa's anonymized garbage-truck camera: vtest.avi looped, anonymized
 * on board and published to the hub. The camera's twin resource updates with `sha256:` of each new
 * frame, and the hub serves the JPEG whose hash the device signed.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_CAMERA, DEMO_FOOTAGE } from '../src/anonymizer/demo.ts';
import { startMsecUp, removeTempDirs, type MsecProcess } from './helpers/e2e-platform.ts';
import { waitFor } from './helpers/net.ts';
import { describeWithFiles } from './helpers/testdata.ts';

const RESOURCE = `/api/v1/providers/${DEMO_CAMERA.id}/services/camera/resources/frame`;

describeWithFiles([DEMO_FOOTAGE], 'msec up --demo: the anonymized camera', () => {
  let demo: MsecProcess;
  let admin: string;

  beforeAll(async () => {
    demo = await startMsecUp({ args: ['--demo'] });
    admin = await demo.adminToken();
  }, 180_000);

  afterAll(async () => {
    if (demo) await demo.kill();
    removeTempDirs();
  });

  it("publishes frames: the camera's resource updates to the hash of the frame the hub serves", async () => {
    let first: string | undefined;
    await waitFor(
      async () => {
        const r = await demo.api('GET', RESOURCE, { token: admin });
        if (r.status === 200 && /^sha256:[0-9a-f]{64}$/.test(String(r.body.value))) first = r.body.value as string;
        return first !== undefined;
      },
      240_000,
      'the demo camera resource',
    );
    let next: { value: string; signature?: unknown } | undefined;
    await waitFor(
      async () => {
        const r = await demo.api('GET', RESOURCE, { token: admin });
        if (r.status === 200 && r.body.value !== first) next = r.body as { value: string };
        return next !== undefined;
      },
      120_000,
      'a second, different frame',
    );
    expect(next!.value).toMatch(/^sha256:[0-9a-f]{64}$/);
    const device = await demo.api('GET', `/api/v1/devices/${DEMO_CAMERA.id}`, { token: admin });
    expect(device.status).toBe(200);
    expect(device.body.org).toBe(DEMO_CAMERA.org);
    // The served JPEG is the one whose hash the device signed.
    for (const value of [first!, next!.value]) {
      const res = await fetch(`${demo.base}/api/v1/anonymizer/frames/${value.slice(7)}`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(res.status).toBe(200);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]);
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(value);
    }
  }, 400_000);
});
