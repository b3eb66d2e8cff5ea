/**
 * Central policies over the API, on SQLite and PostgreSQL: add, replace, remove, history with who
 * changed what, validation, a central deny overriding a module allow, the lock-out refusal, the dry
 * run's explanation, and a change made through platform A applied on platform B (same store, same bus)
 * before B's next request, with nothing but the bus to tell B.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, MemoryBus, silentLogger, type EventBus, type Store } from '../src/core/index.ts';
import { iamMigrations } from '../src/iam/index.ts';
import { startPlatform, type Platform } from '../src/server/index.ts';
import { waitFor } from './helpers/net.ts';
import { storeCases } from './helpers/stores.ts';

interface Node {
  platform: Platform;
  dataDir: string;
  api(method: string, path: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; body: any }>;
}

async function startNode(store: Store, bus: EventBus, keysFrom?: string): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), 'msec-policy-'));
  if (keysFrom) cpSync(join(keysFrom, 'keys'), join(dataDir, 'keys'), { recursive: true });
  const config = loadConfig({
    env: {},
    flags: { dataDir, port: 0, logLevel: 'silent', auth: { passwordHashCost: 10, loginRateLimitPerMinute: 10_000 } },
  });
  const platform = await startPlatform({ config, logger: silentLogger(), store, bus, listen: false });
  const api: Node['api'] = async (method, url, o = {}) => {
    const res = await platform.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(o.body !== undefined ? { payload: JSON.stringify(o.body) } : {}),
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : undefined };
  };
  return { platform, dataDir, api };
}

describe.each(storeCases)('central policies ($name)', (storeCase) => {
  let a: Node;
  let b: Node;
  let admin: string;
  let alice: string;
  let bob: string;
  let cleanup: () => Promise<void>;
  const PASSWORD = 'correct-horse-battery';

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    cleanup = opened.cleanup;
    const bus = new MemoryBus();
    a = await startNode(opened.store, bus);
    b = await startNode(opened.store, bus, a.dataDir);
    const adminPassword = (
      JSON.parse(readFileSync(a.platform.adminCredentialFile!, 'utf8')) as {
        password: string;
      }
    ).password;
    admin = (await a.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: adminPassword } })).body
      .accessToken;
    expect(
      (await a.api('POST', '/api/v1/orgs', { token: admin, body: { id: 'city-a', name: 'City A', kind: 'city' } }))
        .status,
    ).toBe(201);
    for (const [name, roles] of [
      ['alice', ['operator']],
      ['bob', ['analyst']],
    ] as const) {
      const res = await a.api('POST', '/api/v1/principals', {
        token: admin,
        body: { org: 'city-a', kind: 'user', name, roles, password: PASSWORD },
      });
      expect(res.status).toBe(201);
    }
    const login = async (username: string) =>
      (await b.api('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } })).body
        .accessToken as string;
    alice = await login('alice');
    bob = await login('bob');
  }, 120_000);

  afterAll(async () => {
    await a?.platform.close();
    await b?.platform.close();
    await cleanup?.();
    for (const n of [a, b]) if (n) rmSync(n.dataDir, { recursive: true, force: true });
  });

  const noOperatorAudit = {
    id: 'no-operator-audit',
    effect: 'deny',
    roles: ['operator'],
    principals: ['alice'],
    actions: ['iam:audit:read'],
    description: 'alice is on leave',
  };

  it('a deny added through A overrides the module allow on B, and the dry run names it', async () => {
    expect((await b.api('GET', '/api/v1/audit', { token: alice })).status).toBe(200);
    const added = await a.api('POST', '/api/v1/policies', { token: admin, body: noOperatorAudit });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: 'no-operator-audit', version: 1, updatedBy: 'admin' });
    // B learns of it only over the bus; its next request sees it.
    await waitFor(async () => (await b.api('GET', '/api/v1/audit', { token: alice })).status === 403, 20_000);
    const denied = await b.api('GET', '/api/v1/audit', { token: alice });
    expect(denied.body.error.code).toBe('FORBIDDEN');

    const dry = await b.api('POST', '/api/v1/policies/test', {
      token: admin,
      body: { as: 'alice', action: 'iam:audit:read', resource: { type: 'audit' } },
    });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      allow: false,
      statement: 'central:no-operator-audit',
      reason: 'denied by central:no-operator-audit',
      principal: { name: 'alice', org: 'city-a', roles: ['operator'] },
    });
    expect(dry.body.matched).toEqual([
      expect.objectContaining({ id: 'operator-observe', effect: 'allow', source: 'module' }),
      expect.objectContaining({ id: 'central:no-operator-audit', effect: 'deny', source: 'central' }),
    ]);
    // Same question for someone the deny does not name: allowed by the module statement.
    const other = await a.api('POST', '/api/v1/policies/test', {
      token: admin,
      body: { as: 'bob', action: 'iam:audit:read', resource: { type: 'audit' } },
    });
    expect(other.body).toMatchObject({ allow: true, statement: 'analyst-read' });
  });

  it('refuses invalid policies with IAM_POLICY_INVALID and stores nothing', async () => {
    const before = (await a.api('GET', '/api/v1/policies/history', { token: admin })).body.items.length;
    const cases: Array<[unknown, RegExp]> = [
      [{ id: 'typo', effect: 'deny', actions: ['vualt:record:read'] }, /unknown action prefix "vualt"/],
      [{ id: 'bad-scope', effect: 'allow', actions: ['iam:audit:read'], scope: 'everywhere' }, /\/scope/],
      [{ id: 'code', effect: 'allow', actions: ['iam:audit:read'], when: 'return true' }, /unknown field/],
      [{ id: 'Bad Id', effect: 'allow', actions: ['iam:audit:read'] }, /\/id/],
    ];
    for (const [doc, message] of cases) {
      const res = await a.api('POST', '/api/v1/policies', { token: admin, body: doc });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('IAM_POLICY_INVALID');
      expect(res.body.error.message).toMatch(message);
    }
    expect((await a.api('GET', '/api/v1/policies/history', { token: admin })).body.items.length).toBe(before);
  });

  it('refuses a change that would lock every administrator out (IAM_POLICY_LOCKOUT), on create and on replace', async () => {
    const lockout = { id: 'lock-admins', effect: 'deny', roles: ['admin'], actions: ['iam:policy:*'] };
    const res = await a.api('POST', '/api/v1/policies', { token: admin, body: lockout });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'IAM_POLICY_LOCKOUT' });
    expect(res.body.error.details.administrators).toEqual(['admin']);
    // Turning an existing policy into a lock-out is refused too, and the old version stays.
    const replaced = await a.api('PUT', '/api/v1/policies/no-operator-audit', {
      token: admin,
      body: { ...noOperatorAudit, roles: '*', principals: undefined, actions: ['iam:principal:update'] },
    });
    expect(replaced.body.error?.code).toBe('IAM_POLICY_LOCKOUT');
    const list = (await a.api('GET', '/api/v1/policies', { token: admin })).body.items;
    expect(list.map((p: { id: string; version: number }) => `${p.id}@${p.version}`)).toEqual(['no-operator-audit@1']);
    // A deny that spares one administrator is no lock-out.
    expect(
      (
        await a.api('POST', '/api/v1/policies/test', {
          token: admin,
          body: { as: 'admin', action: 'iam:policy:delete', resource: { type: 'policy', org: 'platform' } },
        })
      ).body.allow,
    ).toBe(true);
  });

  it('only platform administrators manage policies', async () => {
    const res = await a.api('POST', '/api/v1/policies', {
      token: alice,
      body: { id: 'self-grant', effect: 'allow', actions: ['*'] },
    });
    expect(res.status).toBe(403);
    expect((await a.api('GET', '/api/v1/policies', { token: bob })).status).toBe(403);
  });

  it('an allow grants what no module statement does, a stale version is refused, removal restores access on B', async () => {
    expect((await b.api('GET', '/api/v1/principals', { token: bob })).status).toBe(403);
    const add = await a.api('POST', '/api/v1/policies', {
      token: admin,
      body: {
        id: 'analysts-read-people',
        effect: 'allow',
        roles: ['analyst'],
        actions: ['iam:principal:read'],
        scope: 'own-org',
      },
    });
    expect(add.status).toBe(201);
    await waitFor(async () => (await b.api('GET', '/api/v1/principals', { token: bob })).status === 200, 20_000);

    const updated = await a.api('PUT', '/api/v1/policies/no-operator-audit?version=1', {
      token: admin,
      body: { ...noOperatorAudit, description: 'alice is on leave until May' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(2);
    const stale = await a.api('PUT', '/api/v1/policies/no-operator-audit?version=1', {
      token: admin,
      body: noOperatorAudit,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('IAM_POLICY_CONFLICT');

    expect((await a.api('DELETE', '/api/v1/policies/no-operator-audit', { token: admin })).status).toBe(204);
    await waitFor(async () => (await b.api('GET', '/api/v1/audit', { token: alice })).status === 200, 20_000);
    expect((await a.api('DELETE', '/api/v1/policies/no-operator-audit', { token: admin })).body.error.code).toBe(
      'IAM_POLICY_NOT_FOUND',
    );

    const history = (await b.api('GET', '/api/v1/policies/no-operator-audit/history', { token: admin })).body.items;
    expect(history.map((h: any) => `${h.version}:${h.change}:${h.actorName}`)).toEqual([
      '3:removed:admin',
      '2:updated:admin',
      '1:created:admin',
    ]);
    expect(history[1].document.description).toBe('alice is on leave until May');
    expect(history[0].document).toBeNull();
  });

  it('the dry run tests a candidate set without applying it', async () => {
    const res = await a.api('POST', '/api/v1/policies/test', {
      token: admin,
      body: {
        as: 'bob',
        action: 'iam:principal:read',
        resource: { type: 'principal' },
        candidate: [{ id: 'no-people', effect: 'deny', orgs: ['city-a'], actions: ['iam:principal:*'] }],
      },
    });
    expect(res.body).toMatchObject({ allow: false, statement: 'central:no-people' });
    // Not applied: bob still reads principals (allowed by the stored central policy).
    expect((await b.api('GET', '/api/v1/principals', { token: bob })).status).toBe(200);
    const unknown = await a.api('POST', '/api/v1/policies/test', {
      token: admin,
      body: { as: 'nobody', action: 'iam:audit:read', resource: { type: 'audit' } },
    });
    expect(unknown.body.error.code).toBe('IAM_POLICY_TEST_PRINCIPAL_UNKNOWN');
  });

  it('policy changes are in the audit log with their actor', async () => {
    const audit = (await a.api('GET', '/api/v1/audit?action=iam:policy:create', { token: admin })).body.items;
    expect(audit.some((e: any) => e.actorName === 'admin' && e.outcome === 'succeeded')).toBe(true);
    expect(audit.some((e: any) => e.actorName === 'alice' && e.outcome === 'denied')).toBe(true);
  });
});
