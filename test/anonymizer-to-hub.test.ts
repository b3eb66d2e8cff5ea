/**
 * `msec anonymize SOURCE --to-hub URL`, end to end: a real CLI process enrolls as a camera on a
 * running hub, uploads anonymized JPEGs and publishes signed readings of their sha256; the frame
 * arrives, the reading verifies with the key the hub registered at enrollment, and its value is
 * the hash of the bytes the hub serves.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { anonymizerModule } from '../src/anonymizer/index.ts';
import { SUBJECTS } from '../src/core/index.ts';
import { verifyReading } from '../src/device/index.ts';
import type { AcceptedReading } from '../src/hub/index.ts';
import { killMsec, spawnMsec } from './helpers/cli.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';
import { waitFor } from './helpers/net.ts';
import { describeWithFiles } from './helpers/testdata.ts';

const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';
const CAMERA = 'to-hub-camera-1';

describeWithFiles([VTEST], 'anonymize --to-hub', () => {
  let t: HubTestPlatform;
  let dir: string;
  let cli: ReturnType<typeof spawnMsec> | undefined;
  const accepted: AcceptedReading[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-anon-hub-'));
    t = await startHubPlatform({ alsoModules: [anonymizerModule()] });
    t.platform.ctx.bus.subscribe(SUBJECTS.readingAccepted, (e) => {
      const r = e.data as AcceptedReading;
      if (r.deviceId === CAMERA) accepted.push(r);
    });
    const token = await t.enrollmentToken('fujisawa');
    writeFileSync(join(dir, 'pass'), 'camera key store passphrase\n');
    cli = spawnMsec([
      'anonymize',
      VTEST,
      '--to-hub',
      t.platform.url,
      '--device-id',
      CAMERA,
      '--enroll-token',
      token,
      '--keys-dir',
      join(dir, 'keys'),
      '--passphrase-file',
      join(dir, 'pass'),
      '--size',
      '320x240',
      '--fps',
      '2',
      '--loop',
    ]);
  }, 120_000);

  afterAll(async () => {
    if (cli) {
      killMsec(cli.child, 'SIGTERM');
      const done = await Promise.race([cli.exited.then(() => true), new Promise((r) => setTimeout(r, 20_000, false))]);
      if (!done) killMsec(cli.child);
    }
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('the frame arrives, its signed reading verifies and holds the sha256 of the served bytes', async () => {
    await waitFor(async () => accepted.length >= 2, 180_000, 'two camera readings');
    const admin = await t.adminToken();
    const device = await t.devices.registry.get(CAMERA);
    expect(device?.org).toBe('fujisawa');
    const key = createPublicKey({ key: device!.signingJwk as unknown as Record<string, string>, format: 'jwk' });
    for (const r of accepted.slice(0, 2)) {
      expect(r).toMatchObject({ provider: CAMERA, service: 'camera', signature: 'verified', unit: 'image/jpeg' });
      expect(r.resource).toBe('frame');
      const value = String(r.value);
      expect(value).toMatch(/^sha256:[0-9a-f]{64}$/);
      // The device's own signature, checked here with the key registered at enrollment.
      const verified = await verifyReading(r.cose, (kid) => (kid === CAMERA ? key : undefined));
      expect(verified.kid).toBe(CAMERA);
      expect(verified.reading).toMatchObject({ deviceId: CAMERA, resource: `${CAMERA}/camera/frame`, value });
      const res = await t.request('GET', `/api/v1/anonymizer/frames/${value.slice('sha256:'.length)}`, {
        token: admin,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^image\/jpeg/);
      expect(res.headers['x-frame-device']).toBe(CAMERA);
      expect(`sha256:${createHash('sha256').update(res.rawPayload).digest('hex')}`).toBe(value);
      const meta = await sharp(res.rawPayload).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 240]);
    }
    // A signature over another hash does not verify: tampering with the signed bytes is caught.
    const forged = Uint8Array.from(accepted[0]!.cose);
    const at = Buffer.from(forged).indexOf(Buffer.from(String(accepted[0]!.value).slice(7, 20)));
    expect(at).toBeGreaterThan(0);
    forged[at] = forged[at] === 0x30 ? 0x31 : 0x30;
    await expect(verifyReading(forged, () => key)).rejects.toThrow();

    const latest = await t.request('GET', `/api/v1/anonymizer/cameras/${CAMERA}/latest`, { token: admin });
    expect(latest.statusCode).toBe(200);
    expect(accepted.map((r) => r.value)).toContain(`sha256:${latest.headers['x-frame-sha256']}`);
  }, 240_000);
});
