import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..');

/** The README's ```sh blocks, in order. */
export function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/**
 * Blocks not run, and why. Everything else runs verbatim, in order, in one shell (variables such
 * as $TOKEN carry over, as they do for a user typing them).
 */
const SKIPPED: Array<{ match: RegExp; why: string }> = [
  {
    match: /npm install && npm start/,
    why: 'the server start itself: the test starts `msec up` the same way (npm start runs `node bin/msec.js up`), in the background, with cwd in a temporary directory',
  },
  { match: /^npm test$/m, why: '`npm test` runs the whole suite, this test included' },
  { match: /npm run bench/, why: 'benchmarks take minutes and measure speed; they have their own runs' },
];

/**
 * The README walkthrough, run verbatim against a fresh server. The text says 127.0.0.1:8080 and
 * MQTT 1884: so that those are free whatever else runs on the machine, server and blocks run in a
 * network namespace of their own (`unshare -rn`, loopback only). The working directory is a fresh
 * temporary one where `./data` lands, with `msec` installed as a user's project would have it
 * (node_modules/.bin/msec → this checkout), so `npx msec` runs this build.
 */
describe('README walkthrough, verbatim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msec-readme-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    // The namespace's process group: unshare, the shell, the server and anything they started.
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every shell block of the README in order, and each does what the text says', async () => {
    const blocks = shellBlocks(readFileSync(join(REPO, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const run = blocks.filter((b) => !SKIPPED.some((s) => s.match.test(b)));
    // Every skip rule matches a block (a rule left behind by a README edit would hide nothing, silently).
    for (const s of SKIPPED)
      expect(
        blocks.some((b) => s.match.test(b)),
        String(s.match),
      ).toBe(true);
    expect(run.length).toBe(blocks.length - SKIPPED.length);

    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(join(REPO, 'bin', 'msec.js'), join(dir, 'node_modules', '.bin', 'msec'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'readme-walkthrough', private: true }));
    const script = [
      'set -eo pipefail',
      'ip link set lo up',
      `node ${JSON.stringify(join(REPO, 'bin', 'msec.js'))} up > server.log 2>&1 &`,
      'for i in $(seq 1 600); do curl -sf 127.0.0.1:8080/healthz >/dev/null && break; sleep 0.2; done',
      ...run.flatMap((b, i) => [`echo "::block ${i} start"`, b, `echo "::block ${i} done"`]),
    ].join('\n');
    writeFileSync(join(dir, 'walkthrough.sh'), script);
    child = spawn('unshare', ['-rn', '--kill-child', 'bash', 'walkthrough.sh'], {
      cwd: dir,
      detached: true,
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_offline: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child!.on('exit', (c) => r(c)));
    const server = (() => {
      try {
        return readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000);
      } catch {
        return '';
      }
    })();
    const report = `exit ${code}\n--- walkthrough output ---\n${out.slice(-6000)}\n--- server log (tail) ---\n${server}`;
    expect(code, report).toBe(0);
    for (let i = 0; i < run.length; i++) expect(out, report).toContain(`::block ${i} done`);
    const section = (i: number) => out.slice(out.indexOf(`::block ${i} start`), out.indexOf(`::block ${i} done`));
    // The login block: health, then /me as admin.
    expect(section(0)).toMatch(/"status":"ok"/);
    expect(section(0)).toMatch(/"name":"admin"/);
    // The devices block: the org, five devices' readings accepted over MQTT, the tampered/replayed ones refused, a checkpoint.
    const devices = section(1);
    expect(devices, report).toMatch(/"id":"santander"/);
    expect(devices, report).not.toMatch(/enrollment token is invalid/);
    expect(devices, report).toMatch(/refused|rejected/i);
    // Five devices for the first simulate, one for the tampered/replayed run: six uses of the token.
    expect(devices.match(/enrolled sim-/g)?.length, report).toBe(6);
    // `msec ledger checkpoint` ran last under `set -e`: reaching the block's end means it succeeded.
  }, 240_000);
});
