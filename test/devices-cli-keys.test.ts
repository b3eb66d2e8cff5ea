/**
 * `msec device simulate` keeps device keys under the data directory (or --keys-dir), never in
 * the working directory, and a device the hub refuses to enroll leaves no key material behind.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';

describe('device keys on disk', () => {
  let t: HubTestPlatform;
  let work: string;

  beforeAll(async () => {
    t = await startHubPlatform();
    work = mkdtempSync(join(tmpdir(), 'msec-keys-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps keys under <data dir>/device-keys, and removes the keys of a refused enrollment', async () => {
    const token = await t.enrollmentToken('santander', 1);
    const dataDir = join(work, 'data');
    // Two devices on a one-use token: the second enrollment is refused.
    const r = await runMsec(
      [
        'device',
        'simulate',
        '--hub',
        t.platform.url,
        '--token',
        token,
        '--count',
        '2',
        '--duration',
        '1',
        '--data-dir',
        dataDir,
      ],
      {
        cwd: work,
        env: { MSEC_DEVICE_PASSPHRASE: 'a-test-passphrase' },
        timeoutMs: 120_000,
      },
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/enrollment token/i);
    expect(existsSync(join(work, 'device-keys'))).toBe(false);
    const kept = readdirSync(join(dataDir, 'device-keys'));
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/-1$/);
  }, 150_000);

  it('--keys-dir puts them where it says', async () => {
    const token = await t.enrollmentToken('santander', 1);
    const keysDir = join(work, 'elsewhere');
    const r = await runMsec(
      [
        'device',
        'simulate',
        '--hub',
        t.platform.url,
        '--token',
        token,
        '--count',
        '1',
        '--duration',
        '1',
        '--keys-dir',
        keysDir,
      ],
      {
        cwd: work,
        env: { MSEC_DEVICE_PASSPHRASE: 'a-test-passphrase', MSEC_DATA_DIR: join(work, 'unused') },
        timeoutMs: 120_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(keysDir)).toHaveLength(1);
    expect(existsSync(join(work, 'unused'))).toBe(false);
  }, 150_000);
});
