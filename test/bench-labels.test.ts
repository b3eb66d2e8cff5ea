import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedCpus, coresLabel } from '../bench/helpers/cores.ts';

const REPO = resolve(import.meta.dirname, '..');

/** Runs the ingest benchmark briefly, optionally under `taskset -c 0`, and returns its output. */
function ingest(pinned: 'taskset' | 'flag' | 'none'): string {
  const args = ['--import', 'tsx', 'bench/ingest.ts', '--seconds', '0.3', ...(pinned === 'flag' ? ['--one-core'] : [])];
  const [cmd, argv] =
    pinned === 'taskset' ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  return execFileSync(cmd, argv as string[], {
    cwd: REPO,
    env: { ...process.env, BENCH_DEVICES: '50', BENCH_ROUNDS: '3', BENCH_IN_FLIGHT: '64' },
    encoding: 'utf8',
    timeout: 180_000,
  });
}

describe('benchmark labels say what they measure', () => {
  it('the cores label follows the real affinity', () => {
    expect(coresLabel([0])).toBe('cores: 1 (pinned to cpu 0)');
    expect(coresLabel([0, 1])).toBe('cores: 2 (not pinned: cpus 0,1)');
    expect(allowedCpus().length).toBeGreaterThanOrEqual(1);
  });

  it('ingest: pinned with taskset or --one-core it says one core; unpinned it names the cores it used', () => {
    for (const how of ['taskset', 'flag'] as const) {
      const out = ingest(how);
      expect(out, how).toContain('cores: 1 (pinned to cpu 0)');
      expect(out, how).toMatch(/ratio .*\(one-core: both sides on one core;/);
      expect(out, how).not.toMatch(/\d+-core: hub side/);
    }
    const cpus = allowedCpus();
    const out = ingest('none');
    if (cpus.length === 1) expect(out).toContain('cores: 1 (pinned');
    else {
      expect(out).toContain(`cores: ${cpus.length} (not pinned`);
      expect(out).toMatch(
        new RegExp(`ratio .*\\(${cpus.length}-core: hub side on ${cpus.length} cores, raw side on one;`),
      );
    }
  }, 400_000);
});
