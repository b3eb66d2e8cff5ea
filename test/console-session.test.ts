import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/core/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

/** The console's cookie session against a real platform (IAM, policy, audit), through app.inject. */
describe('console session: HttpOnly cookie, CSRF, silent refresh, logout, static app with CSP', () => {
  let t: TestPlatform;
  const clock = new ManualClock(Date.now());

  beforeAll(async () => {
    t = await startTestPlatform({ clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = async (username = 'admin', password = t.adminPassword) => {
    const res = await t.request('POST', '/api/v1/console/session', { body: { username, password } });
    const setCookie = String(res.headers['set-cookie'] ?? '');
    const cookie = setCookie.split(';')[0]!;
    return { res, setCookie, cookie, csrf: res.statusCode === 200 ? (res.json() as { csrf: string }).csrf : '' };
  };

  it('logs in with a cookie that scripts cannot read and returns no platform token', async () => {
    const { res, setCookie, csrf } = await login();
    expect(res.statusCode).toBe(200);
    expect(setCookie).toMatch(/^msec_console=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const body = res.json();
    expect(body.principal.name).toBe('admin');
    expect(body.pages.map((p: { id: string }) => p.id)).toEqual([
      'alerts',
      'devices',
      'market',
      'anonymizer',
      'inbox',
      'events',
      'ledger',
      'admin',
      'users',
      'policies',
    ]);
    // Neither token appears anywhere in what the browser receives.
    expect(res.body).not.toMatch(/eyJ|refreshToken|accessToken/);
  });

  it('refuses a wrong password without a cookie', async () => {
    const { res, setCookie } = await login('admin', 'not-the-password');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('INVALID_CREDENTIALS');
    expect(setCookie).toBe('');
  });

  it('authenticates API calls with the cookie, and mutating ones only with the CSRF header', async () => {
    const { cookie, csrf } = await login();
    const me = await t.request('GET', '/api/v1/me', { headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().principal.name).toBe('admin');
    const noCsrf = await t.request('POST', '/api/v1/orgs', {
      headers: { cookie },
      body: { id: 'csrf-test', name: 'x', kind: 'city' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CONSOLE_CSRF_INVALID');
    const wrong = await t.request('POST', '/api/v1/orgs', {
      headers: { cookie, 'x-csrf-token': csrf.slice(1) + 'A' },
      body: { id: 'csrf-test', name: 'x', kind: 'city' },
    });
    expect(wrong.json().error.code).toBe('CONSOLE_CSRF_INVALID');
    const orgs = await t.request('GET', '/api/v1/orgs', { headers: { cookie } });
    expect(orgs.json().items.map((o: { id: string }) => o.id)).not.toContain('csrf-test');
    const withCsrf = await t.request('POST', '/api/v1/orgs', {
      headers: { cookie, 'x-csrf-token': csrf },
      body: { id: 'csrf-test', name: 'x', kind: 'city' },
    });
    expect(withCsrf.statusCode).toBeLessThan(300);
  });

  it('refreshes the platform tokens silently after the access token expires', async () => {
    const { cookie } = await login();
    clock.advance(16 * 60_000); // past the 15-minute access token
    // Concurrent requests at expiry share one rotation (a reused refresh token would revoke the family).
    const racing = await Promise.all([1, 2, 3].map(() => t.request('GET', '/api/v1/me', { headers: { cookie } })));
    expect(racing.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    clock.advance(16 * 60_000);
    const later = await t.request('GET', '/api/v1/console/session', { headers: { cookie } });
    expect(later.statusCode).toBe(200);
  });

  it('logs out: the cookie is cleared and no longer authenticates', async () => {
    const { cookie, csrf } = await login();
    const out = await t.request('DELETE', '/api/v1/console/session', { headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    const after = await t.request('GET', '/api/v1/console/session', { headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('never authenticates a made-up cookie, whatever its shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }).filter((s) => !/[\r\n\0]/.test(s) && /^[\x20-\x7e]*$/.test(s)),
        async (v) => {
          const res = await t.request('GET', '/api/v1/console/session', {
            headers: { cookie: `msec_console=${v}; other=1` },
          });
          expect(res.statusCode).toBe(401);
          expect(res.json().error.code).toBe('UNAUTHENTICATED');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('serves the built app at / with a strict CSP and only files that exist', async () => {
    const page = await t.request('GET', '/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // blob: only for the images and media the page made itself (the anonymizer's before/after), never scripts or fetch.
    expect(
      csp
        .split('; ')
        .filter((d) => d.includes('blob:'))
        .map((d) => d.split(' ')[0]),
    ).toEqual(['img-src', 'media-src']);
    const scripts = [...page.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    expect(page.body).not.toMatch(/<script(?![^>]*src=)[^>]*>/); // no inline script
    for (const src of scripts) {
      expect(src.startsWith('/assets/')).toBe(true);
      const js = await t.request('GET', src);
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toContain('javascript');
      expect(js.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\//i); // nothing fetched from elsewhere
    }
    expect((await t.request('GET', '/assets/..%2f..%2fpackage.json')).statusCode).toBe(404);
    expect((await t.request('GET', '/assets/nope.js')).statusCode).toBe(404);
  });
});
