import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { UnsecuredJWT } from 'jose';
import { storeCases } from './helpers/stores.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { iamMigrations } from '../src/iam/index.ts';

describe.each(storeCases)('HTTP API security on $name', (storeCase) => {
  let t: TestPlatform;
  let storeCleanup: () => Promise<void>;
  let admin: string;

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    storeCleanup = opened.cleanup;
    t = await startTestPlatform({
      store: opened.store,
      config: { auth: { loginRateLimitPerMinute: 1000, lockoutThreshold: 3 } },
    });
    admin = await t.adminToken();
    await t.request('POST', '/api/v1/orgs', {
      token: admin,
      body: { id: 'santander', name: 'Santander', kind: 'city' },
    });
    await t.request('POST', '/api/v1/orgs', { token: admin, body: { id: 'fujisawa', name: 'Fujisawa', kind: 'city' } });
  });
  afterAll(async () => {
    await t.close();
    await storeCleanup();
  });

  it('serves /healthz publicly and /api/v1/me only with a credential', async () => {
    expect((await t.request('GET', '/healthz')).json()).toMatchObject({ status: 'ok' });
    const anon = await t.request('GET', '/api/v1/me');
    expect(anon.statusCode).toBe(401);
    expect(anon.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    const me = await t.request('GET', '/api/v1/me', { token: admin });
    expect(me.statusCode).toBe(200);
    expect(me.json().principal).toMatchObject({ name: 'admin', orgId: 'platform', roles: ['admin'] });
  });

  it('refuses forged, alg-none and garbage tokens with stable codes', async () => {
    const none = new UnsecuredJWT({ org: 'platform', roles: ['admin'], kind: 'user', name: 'admin' })
      .setIssuer('msec')
      .setAudience('msec-api')
      .setSubject('x')
      .encode();
    for (const token of [none, admin.slice(0, -4) + 'AAAA', 'garbage']) {
      const r = await t.request('GET', '/api/v1/me', { token });
      expect(r.statusCode).toBe(401);
      expect(r.json().error.code).toBe('TOKEN_INVALID');
    }
    const malformed = await t.request('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } });
    expect(malformed.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('validates bodies: malformed JSON, wrong types, unknown fields, oversized; nothing is written', async () => {
    const before = (await t.request('GET', '/api/v1/principals?org=santander', { token: admin })).json().items.length;
    const cases: Array<[string | undefined, unknown, number, string]> = [
      ['{"org": "santander", ', undefined, 400, 'MALFORMED_JSON'],
      [undefined, { org: 'santander', kind: 'user', name: 'bob', roles: 'admin' }, 400, 'VALIDATION_FAILED'],
      [
        undefined,
        { org: 'santander', kind: 'user', name: 'bob', roles: ['admin'], isRoot: true },
        400,
        'VALIDATION_FAILED',
      ],
      [
        undefined,
        { org: 'santander', kind: 'user', name: "bob'; DROP TABLE iam_principals; --", roles: ['operator'] },
        400,
        'VALIDATION_FAILED',
      ],
      [
        JSON.stringify({
          org: 'santander',
          kind: 'user',
          name: 'big',
          roles: ['operator'],
          displayName: 'x'.repeat(300 * 1024),
        }),
        undefined,
        413,
        'BODY_TOO_LARGE',
      ],
    ];
    for (const [rawBody, body, status, code] of cases) {
      const r = await t.request('POST', '/api/v1/principals', {
        token: admin,
        ...(rawBody !== undefined ? { rawBody } : { body }),
      });
      expect(r.statusCode, JSON.stringify(r.json())).toBe(status);
      expect(r.json().error.code).toBe(code);
    }
    const after = (await t.request('GET', '/api/v1/principals?org=santander', { token: admin })).json().items.length;
    expect(after).toBe(before);
  });

  it('never answers 5xx to random request bodies, and writes only valid ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (body) => {
        const r = await t.request('POST', '/api/v1/orgs', { token: admin, rawBody: JSON.stringify(body) ?? 'null' });
        expect(r.statusCode).toBeLessThan(500);
        if (r.statusCode === 201) expect(body).toMatchObject({ id: expect.any(String) });
      }),
      { numRuns: 60 },
    );
  });

  it('scopes organisation admins to their organisation and audits the denial', async () => {
    const created = await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'santander', kind: 'user', name: 'san-admin', roles: ['admin'], password: 'santander-admin-pw' },
    });
    expect(created.statusCode).toBe(201);
    const sanAdmin = await t.login('san-admin', 'santander-admin-pw');
    const ok = await t.request('POST', '/api/v1/principals', {
      token: sanAdmin,
      body: { org: 'santander', kind: 'service', name: 'san-ingest', roles: ['provider'] },
    });
    expect(ok.statusCode).toBe(201);
    const cross = await t.request('POST', '/api/v1/principals', {
      token: sanAdmin,
      body: { org: 'fujisawa', kind: 'user', name: 'intruder', roles: ['admin'], password: 'intruder-password' },
    });
    expect(cross.statusCode).toBe(403);
    expect(cross.json().error.code).toBe('FORBIDDEN');
    const orgCreate = await t.request('POST', '/api/v1/orgs', {
      token: sanAdmin,
      body: { id: 'evil', name: 'Evil', kind: 'buyer' },
    });
    expect(orgCreate.statusCode).toBe(403);
    // Cannot read another organisation's principals either.
    expect((await t.request('GET', '/api/v1/principals?org=fujisawa', { token: sanAdmin })).statusCode).toBe(403);

    const denied = (
      await t.request('GET', '/api/v1/audit?outcome=denied&actor=' + created.json().id, { token: admin })
    ).json().items;
    expect(denied.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['iam:principal:create', 'iam:org:create', 'iam:principal:read']),
    );
    const mutating = (
      await t.request('GET', '/api/v1/audit?outcome=succeeded&action=iam:principal:create', { token: admin })
    ).json().items;
    expect(mutating.length).toBeGreaterThanOrEqual(2);
    // The Santander admin sees only Santander's audit trail.
    const sanAudit = (await t.request('GET', '/api/v1/audit', { token: sanAdmin })).json().items;
    expect(sanAudit.every((e: { orgId: string }) => e.orgId === 'santander')).toBe(true);
  });

  it('issues API keys shown once; they authenticate until revoked', async () => {
    const r = await t.request('POST', '/api/v1/api-keys', { token: admin, body: { name: 'bench' } });
    expect(r.statusCode).toBe(201);
    const { key, info } = r.json();
    const me = await t.request('GET', '/api/v1/me', { headers: { 'x-api-key': key } });
    expect(me.json()).toMatchObject({ via: 'api-key', principal: { name: 'admin' } });
    expect(JSON.stringify((await t.request('GET', '/api/v1/api-keys', { token: admin })).json())).not.toContain(
      key.split('.')[1],
    );
    expect((await t.request('DELETE', `/api/v1/api-keys/${info.id}`, { token: admin })).statusCode).toBe(204);
    expect((await t.request('GET', '/api/v1/me', { token: key })).json().error.code).toBe('TOKEN_REVOKED');
  });

  it('rotates refresh tokens and revokes access tokens at logout', async () => {
    await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'fujisawa', kind: 'user', name: 'fuji-op', roles: ['operator'], password: 'fujisawa-operator' },
    });
    const login = (
      await t.request('POST', '/api/v1/auth/login', { body: { username: 'fuji-op', password: 'fujisawa-operator' } })
    ).json();
    const refreshed = await t.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    const again = await t.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: login.refreshToken } });
    expect(again.json().error.code).toBe('TOKEN_REVOKED');
    const fresh = (
      await t.request('POST', '/api/v1/auth/login', { body: { username: 'fuji-op', password: 'fujisawa-operator' } })
    ).json();
    expect(
      (
        await t.request('POST', '/api/v1/auth/logout', {
          token: fresh.accessToken,
          body: { refreshToken: fresh.refreshToken },
        })
      ).statusCode,
    ).toBe(204);
    expect((await t.request('GET', '/api/v1/me', { token: fresh.accessToken })).json().error.code).toBe(
      'TOKEN_REVOKED',
    );
  });

  it('raises security events for refused logins and forged tokens', async () => {
    const events: Array<{ subject: string; data: { ip: string; code: string } }> = [];
    const off = t.platform.ctx.bus.subscribe('security.api.>', (e) => {
      events.push(e as never);
    });
    await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'not-the-password' } });
    await t.request('GET', '/api/v1/me', { token: 'forged.token.value' });
    await new Promise((r) => setTimeout(r, 20));
    off();
    expect(events.map((e) => e.subject)).toEqual(['security.api.login-failed', 'security.api.auth-failed']);
    expect(events[1]!.data).toMatchObject({ ip: '127.0.0.1', code: 'TOKEN_INVALID' });
  });

  it('throttles repeated failed logins from one address, the same for unknown names, until an admin unlocks', async () => {
    await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'fujisawa', kind: 'user', name: 'victim', roles: ['analyst'], password: 'victim-password-1' },
    });
    for (const name of ['victim', 'no-such-user']) {
      for (let i = 0; i < 3; i++) {
        const r = await t.request('POST', '/api/v1/auth/login', { body: { username: name, password: `guess-${i}` } });
        expect(r.statusCode).toBe(401);
        expect(r.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'invalid username or password' } });
      }
      const throttled = await t.request('POST', '/api/v1/auth/login', {
        body: { username: name, password: 'victim-password-1' },
      });
      expect(throttled.statusCode).toBe(429);
      expect(throttled.json().error.code).toBe('LOGIN_THROTTLED');
      expect(throttled.headers['retry-after']).toBe('1');
      expect(throttled.body).not.toMatch(/lockedUntil/);
    }
    // Another address is not affected: the owner is never locked out by someone else's guesses.
    const elsewhere = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '198.51.100.7',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'victim', password: 'victim-password-1' }),
    });
    expect(elsewhere.statusCode).toBe(200);
    const victimId = (await t.request('GET', '/api/v1/principals?org=fujisawa', { token: admin }))
      .json()
      .items.find((p: { name: string }) => p.name === 'victim').id;
    expect((await t.request('POST', `/api/v1/principals/${victimId}/unlock`, { token: admin })).statusCode).toBe(204);
    expect(
      (await t.request('POST', '/api/v1/auth/login', { body: { username: 'victim', password: 'victim-password-1' } }))
        .statusCode,
    ).toBe(200);
  });

  it('exposes Prometheus metrics to operators only, and an OpenAPI document publicly', async () => {
    const m = await t.request('GET', '/metrics', { token: admin });
    expect(m.statusCode).toBe(200);
    expect(m.body).toMatch(/msec_http_requests_total\{method="GET",route="\/api\/v1\/me",status="200"\}/);
    expect((await t.request('GET', '/metrics')).statusCode).toBe(401);
    const doc = await t.request('GET', '/docs/json');
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/me', '/api/v1/audit']),
    );
  });

  it('answers unknown routes with the JSON error body', async () => {
    const r = await t.request('GET', '/api/v1/nope', { token: admin });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.code).toBe('NOT_FOUND');
  });

  it('aggregates refused anonymous requests per source and reason: a flood from one source is one row, the count adds up', async () => {
    // Close the windows earlier tests opened (same source, same reasons), so this flood is its own.
    await t.platform.ctx.iam.audit.anonymous.flush();
    const since = Date.now();
    for (let i = 0; i < 40; i++)
      expect(
        (await t.request('POST', '/api/v1/orgs', { token: 'garbage', body: { id: `x${i}`, name: 'x', kind: 'city' } }))
          .statusCode,
      ).toBe(401);
    await t.platform.ctx.iam.audit.anonymous.flush();
    const rows = (await t.platform.ctx.iam.audit.query({ since })).filter(
      (r) => r.action === 'iam:org:create' && r.outcome === 'denied' && r.actorId === null,
    );
    expect(rows.length).toBe(1);
    expect(rows[0]!.detail).toMatchObject({ aggregated: true, count: 40, reason: 'TOKEN_INVALID' });
    expect(rows.reduce((n, r) => n + ((r.detail?.count as number | undefined) ?? 1), 0)).toBe(40);
    // An authenticated principal's refusals stay one row each.
    const analyst = await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: {
        org: 'santander',
        kind: 'user',
        name: 'agg-analyst',
        roles: ['analyst'],
        password: 'agg-analyst-password',
      },
    });
    expect(analyst.statusCode).toBe(201);
    const token = await t.login('agg-analyst', 'agg-analyst-password');
    for (let i = 0; i < 3; i++)
      expect(
        (await t.request('POST', '/api/v1/orgs', { token, body: { id: `y${i}`, name: 'y', kind: 'city' } })).statusCode,
      ).toBe(403);
    const own = (await t.platform.ctx.iam.audit.query({ since, actorId: analyst.json().id as string })).filter(
      (r) => r.outcome === 'denied',
    );
    expect(own).toHaveLength(3);
  });
});

describe('login rate limiting', () => {
  it('answers 429 RATE_LIMITED past the per-minute budget', async () => {
    const t = await startTestPlatform({ config: { auth: { loginRateLimitPerMinute: 3 } } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (await t.request('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'x' } })).statusCode,
        );
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const r = await t.request('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'x' } });
      expect(r.json().error.code).toBe('RATE_LIMITED');
    } finally {
      await t.close();
    }
  });
});
