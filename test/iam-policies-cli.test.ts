/** `msec policy list|add|remove|test|history` against a running platform, as an administrator uses it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMsec } from './helpers/cli.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

describe('msec policy', () => {
  let t: TestPlatform;
  let env: NodeJS.ProcessEnv;
  const msec = (...args: string[]) => runMsec(['policy', ...args], { env });

  beforeAll(async () => {
    t = await startTestPlatform({ listen: true });
    env = { MSEC_HUB_URL: t.platform.url, MSEC_TOKEN: await t.adminToken() };
    const token = await t.adminToken();
    expect(
      (await t.request('POST', '/api/v1/orgs', { token, body: { id: 'city-a', name: 'City A', kind: 'city' } }))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await t.request('POST', '/api/v1/principals', {
          token,
          body: { org: 'city-a', kind: 'user', name: 'olga', roles: ['operator'], password: 'correct-horse-battery' },
        })
      ).statusCode,
    ).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('adds, lists, explains, replaces, records history and removes', async () => {
    const file = join(t.dataDir, 'deny.json');
    writeFileSync(
      file,
      JSON.stringify({
        id: 'olga-no-audit',
        effect: 'deny',
        principals: ['olga'],
        actions: ['iam:audit:read'],
        description: 'audit is for analysts',
      }),
    );
    const added = await msec('add', file);
    expect(added.stderr).toBe('');
    expect(added.stdout.trim()).toBe('added olga-no-audit (version 1)');

    const list = await msec('list');
    expect(list.stdout).toMatch(
      /^olga-no-audit {2}v1 {2}deny {2}iam:audit:read {2}roles=\* {2}by admin .* # audit is for analysts$/m,
    );

    const test = await msec('test', '--as', 'olga', 'iam:audit:read', 'audit');
    expect(test.code).toBe(0);
    const lines = test.stdout.trim().split('\n');
    expect(lines[0]).toBe('DENY  denied by central:olga-no-audit');
    expect(lines[1]).toBe('  principal olga (org city-a, roles operator)');
    expect(lines).toContain('     allow operator-observe [module]');
    expect(lines).toContain('  => deny  central:olga-no-audit [central]  audit is for analysts');

    const other = await msec('test', '--as', 'olga', 'iam:org:read', 'org:city-a', '--org', 'city-a', '--json');
    expect(JSON.parse(other.stdout)).toMatchObject({ allow: true, statement: 'operator-observe' });

    writeFileSync(
      file,
      JSON.stringify({ id: 'olga-no-audit', effect: 'deny', principals: ['olga'], actions: ['iam:audit:*'] }),
    );
    expect((await msec('add', file, '--replace', '--expect-version', '1')).stdout.trim()).toBe(
      'replaced olga-no-audit (version 2)',
    );
    const stale = await msec('add', file, '--replace', '--expect-version', '1');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/error: policy olga-no-audit is at version 2, not 1/);

    expect((await msec('remove', 'olga-no-audit')).stdout.trim()).toBe('removed olga-no-audit');
    const history = (await msec('history', 'olga-no-audit')).stdout.trim().split('\n');
    expect(history.map((l) => l.replace(/^\S+ {2}/, ''))).toEqual([
      'olga-no-audit  v3  removed  by admin',
      'olga-no-audit  v2  updated  by admin  deny iam:audit:*',
      'olga-no-audit  v1  created  by admin  deny iam:audit:read',
    ]);
    expect((await msec('list')).stdout.trim()).toBe('no central policies');
  }, 180_000);

  it('reports invalid policies and the lock-out refusal with a clear error and exit 1', async () => {
    const file = join(t.dataDir, 'bad.json');
    writeFileSync(file, JSON.stringify({ id: 'typo', effect: 'deny', actions: ['vualt:record:read', 'iam:audit:*'] }));
    const bad = await msec('add', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('error: policy typo: action "vualt:record:read": unknown action prefix "vualt"');

    writeFileSync(file, JSON.stringify({ id: 'no-admins', effect: 'deny', roles: ['admin'], actions: ['*'] }));
    const locked = await msec('add', file);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/^error: refused: after this change no administrator could iam:policy:create/);

    const unknown = await msec('test', '--as', 'nobody', 'iam:audit:read', 'audit');
    expect(unknown.stderr.trim()).toBe('error: no principal named nobody');
  }, 120_000);
});
