import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymizerModule } from '../src/anonymizer/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

const PERSON = '/usr/share/darknet/data/person.jpg';
const VTEST = '/usr/share/doc/opencv-doc/examples/data/vtest.avi';

/** Mean absolute difference of two same-size images inside a region, on grey levels. */
async function diff(
  a: Buffer,
  b: Buffer,
  r: { left: number; top: number; width: number; height: number },
): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((i) => sharp(i).extract(r).greyscale().raw().toBuffer()));
  let s = 0;
  for (let i = 0; i < x!.length; i++) s += Math.abs(x![i]! - y![i]!);
  return s / x!.length;
}

describe('anonymizer HTTP API', () => {
  let t: TestPlatform;
  let admin: string;
  let operator: string;
  let other: string;
  let consumer: string;
  let dir: string;
  const person = readFileSync(PERSON);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'msec-anon-api-'));
    t = await startTestPlatform({ modules: [anonymizerModule()] });
    admin = await t.adminToken();
    await t.request('POST', '/api/v1/orgs', { token: admin, body: { id: 'fujisawa', name: 'Fujisawa', kind: 'city' } });
    for (const [name, roles] of [
      ['cam-op', ['operator']],
      ['other-op', ['operator']],
      ['buyer', ['consumer']],
    ] as const) {
      const r = await t.request('POST', '/api/v1/principals', {
        token: admin,
        body: { org: 'fujisawa', kind: 'user', name, roles, password: `${name}-password-1` },
      });
      expect(r.statusCode).toBe(201);
    }
    operator = await t.login('cam-op', 'cam-op-password-1');
    other = await t.login('other-op', 'other-op-password-1');
    consumer = await t.login('buyer', 'buyer-password-1');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GANonymizer\'s {"image": base64} with an anonymized base64 JPEG, and audits it', async () => {
    const r = await t.request('POST', '/api/v1/anonymizer/image', {
      token: operator,
      body: { image: person.toString('base64') },
    });
    expect(r.statusCode, r.body).toBe(200);
    const out = Buffer.from((r.json() as { image: string }).image, 'base64');
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 424]);
    // The person (labelled at 186,109 89x266) changed a lot; the sky above the horizon hardly.
    expect(await diff(person, out, { left: 200, top: 130, width: 60, height: 220 })).toBeGreaterThan(25);
    expect(await diff(person, out, { left: 400, top: 10, width: 200, height: 80 })).toBeLessThan(4);
    const audit = await t.request('GET', '/api/v1/audit?action=anonymizer:image:create', { token: admin });
    expect(JSON.stringify(audit.json())).toContain('anonymizer/image');
  }, 120_000);

  it('takes a raw PNG body or a multipart file and answers in the same format', async () => {
    const png = await sharp(person).png().toBuffer();
    const raw = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/anonymizer/image?fill=solid',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'image/png' },
      payload: png,
    });
    expect(raw.statusCode, raw.body).toBe(200);
    expect(raw.headers['content-type']).toBe('image/png');
    expect(JSON.parse(String(raw.headers['x-anonymizer-removed']))).toMatchObject({ person: 1 });
    const boundary = 'msecboundary';
    const form = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      person,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const mp = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/anonymizer/image',
      headers: { authorization: `Bearer ${operator}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: form,
    });
    expect(mp.statusCode, mp.body).toBe(200);
    expect(mp.headers['content-type']).toBe('image/jpeg');
  }, 120_000);

  it('refuses the unauthenticated, the unauthorized, bad images, bad options and oversized bodies', async () => {
    expect(
      (await t.request('POST', '/api/v1/anonymizer/image', { body: { image: person.toString('base64') } })).statusCode,
    ).toBe(401);
    expect(
      (
        await t.request('POST', '/api/v1/anonymizer/image', {
          token: consumer,
          body: { image: person.toString('base64') },
        })
      ).statusCode,
    ).toBe(403);
    const junk = await t.request('POST', '/api/v1/anonymizer/image', {
      token: operator,
      body: { image: Buffer.from('no picture').toString('base64') },
    });
    expect([junk.statusCode, junk.json().error.code]).toEqual([400, 'ANONYMIZER_IMAGE_INVALID']);
    const opt = await t.request('POST', '/api/v1/anonymizer/image?fill=paint', {
      token: operator,
      body: { image: person.toString('base64') },
    });
    expect([opt.statusCode, opt.json().error.code]).toEqual([400, 'ANONYMIZER_OPTIONS_INVALID']);
    const big = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/anonymizer/image',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'image/jpeg' },
      payload: Buffer.alloc(26 * 1024 * 1024),
    });
    expect(big.statusCode).toBe(413);
  }, 60_000);

  it('never answers 5xx to random JSON bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.anything(), fc.record({ image: fc.oneof(fc.string(), fc.base64String(), fc.anything()) })),
        async (body) => {
          const r = await t.request('POST', '/api/v1/anonymizer/image', {
            token: operator,
            rawBody: JSON.stringify(body) ?? 'null',
          });
          expect(r.statusCode).toBeLessThan(500);
          expect(r.statusCode).not.toBe(200);
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('runs a video job with progress, serves the output to its owner only', async () => {
    const clip = join(dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-ss',
      '5',
      '-i',
      VTEST,
      '-frames:v',
      '6',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-y',
      clip,
    ]);
    const sub = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/anonymizer/jobs',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'video/mp4' },
      payload: readFileSync(clip),
    });
    expect(sub.statusCode, sub.body).toBe(202);
    const { id } = sub.json() as { id: string };
    let job: {
      status: string;
      progress: { frames: number };
      report?: { frames: number; totals: Record<string, number> };
    } = { status: 'queued', progress: { frames: 0 } };
    for (let i = 0; i < 600 && (job.status === 'queued' || job.status === 'running'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      job = (await t.request('GET', `/api/v1/anonymizer/jobs/${id}`, { token: operator })).json();
    }
    expect(job.status).toBe('done');
    expect(job.progress.frames).toBe(6);
    expect(job.report!.totals.person).toBeGreaterThan(0);
    expect((await t.request('GET', `/api/v1/anonymizer/jobs/${id}`, { token: other })).statusCode).toBe(403);
    expect((await t.request('GET', `/api/v1/anonymizer/jobs/${id}/output`, { token: other })).statusCode).toBe(403);
    const out = await t.request('GET', `/api/v1/anonymizer/jobs/${id}/output`, { token: operator });
    expect(out.statusCode).toBe(200);
    expect(out.headers['content-type']).toBe('video/mp4');
    expect(out.rawPayload.subarray(4, 8).toString()).toBe('ftyp');
  }, 240_000);
});
