/** `msec admin unlock NAME`: the recovery path when a name is throttled from an address. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/index.ts';
import { openLocalIam } from '../src/cli/local-platform.ts';
import { runMsec } from './helpers/cli.ts';

describe('msec admin unlock', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'msec-unlock-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('clears the throttles of every address for the name; an unknown name is a clear error', async () => {
    const config = loadConfig({ env: {}, flags: { dataDir, auth: { passwordHashCost: 10 } } });
    let local = await openLocalIam(config);
    try {
      for (let i = 0; i < 12; i++) await local.iam.loginThrottle.failure('admin', `192.0.2.${i % 2}`);
      expect(await local.iam.loginThrottle.waitMs('admin', '192.0.2.0')).toBeGreaterThan(0);
    } finally {
      await local.close();
    }
    const r = await runMsec(['admin', 'unlock', 'admin', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/unlocked admin/);
    local = await openLocalIam(config);
    try {
      expect(await local.iam.loginThrottle.waitMs('admin', '192.0.2.0')).toBe(0);
      expect(await local.iam.loginThrottle.waitMs('admin', '192.0.2.1')).toBe(0);
    } finally {
      await local.close();
    }
    const missing = await runMsec(['admin', 'unlock', 'nobody-here', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*nobody-here/m);
  });
});
