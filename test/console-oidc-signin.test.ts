import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_SIGNIN, oidcModule } from '../src/iam/index.ts';
import { launchBrowser, SHOTS, WAIT } from './helpers/console-browser.ts';
import { freePort } from './helpers/net.ts';
import { startLoginIssuer, type LoginIssuer } from './helpers/oidc-login-issuer.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

const CALLBACK = '/api/v1/console/oidc/callback';

/**
 * The console's sign-in with the city's OpenID provider (oidc-provider standing in for Keycloak):
 * authorization code with PKCE, state and nonce; claims mapped to roles; the console's own
 * cookie session at the end. Refusals (state, nonce, denied consent) end on the login page.
 */
describe('console sign-in with the OIDC issuer', () => {
  let idp: LoginIssuer;
  let t: TestPlatform;
  let browser: Browser | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const idpPort = await freePort();
    const issuer = `http://127.0.0.1:${idpPort}`;
    const clientSecret = randomBytes(24).toString('base64url');
    t = await startTestPlatform({
      listen: true,
      modules: [oidcModule()],
      config: {
        oidc: {
          issuer,
          audience: 'urn:msec:api-test',
          claimRoles: { 'city-operators': 'operator', 'city-analysts': 'analyst' },
          defaultOrg: 'santander',
          clockSkewSeconds: 30,
          console: { clientId: 'msec-console', clientSecret, name: 'City Keycloak' },
        },
      },
    });
    base = t.platform.url;
    idp = await startLoginIssuer(idpPort, {
      redirectUri: `${base}${CALLBACK}`,
      users: { ana: ['city-operators'], bruno: ['city-analysts'], carla: ['coffee-club'] },
      clientSecret,
    });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
    await idp?.stop();
  });

  const fresh = async (): Promise<Page> => {
    const ctx = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(ctx);
    return ctx.newPage();
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, name), fullPage: true });

  /** The provider's own login page (devInteractions), then its consent page. */
  const loginAtProvider = async (page: Page, user: string) => {
    await page.locator('input[name=login]').waitFor(WAIT);
    await shot(page, 'oidc-provider-login.png');
    await page.locator('input[name=login]').fill(user);
    await page.locator('input[name=password]').fill('any-password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Continue' }).click();
  };

  it('signs a provider user in through the provider, ending in a console session with the mapped role', async () => {
    const page = await fresh();
    await page.goto(`${base}/`);
    const button = page.getByRole('link', { name: 'Sign in with City Keycloak' });
    await button.waitFor(WAIT);
    await shot(page, 'oidc-login-button.png');
    await button.click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer), WAIT);
    await loginAtProvider(page, 'ana');
    await page.waitForURL((u) => u.href.startsWith(base), WAIT);
    await page.getByRole('button', { name: 'Log out' }).waitFor(WAIT);
    await shot(page, 'oidc-signed-in.png');
    const session = (await page.evaluate(async () => {
      const r = await fetch('/api/v1/console/session');
      return { status: r.status, body: (await r.json()) as unknown };
    })) as { status: number; body: { principal: { name: string; org: string; roles: string[] } } };
    expect(session.status).toBe(200);
    expect(session.body.principal.roles).toEqual(['operator']);
    expect(session.body.principal.org).toBe('santander');
    expect(session.body.principal.name).toMatch(/^oidc\./);
    // Only the opaque HttpOnly session cookie: no token in storage (the theme choice only), nothing readable by scripts.
    const stored = (await page.evaluate(
      'JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie])',
    )) as string;
    expect(JSON.parse(stored)).toEqual([[['msec-console-theme', expect.stringMatching(/^(light|dark)$/)]], [], '']);
    const cookies = await page.context().cookies(base);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toContainEqual(['msec_console', true, 'Strict']);
    expect(cookies.some((c) => c.name === 'msec_oidc')).toBe(false);
    // The role the claims map to is what the API grants: an operator lists principals, not policies.
    const statuses = await page.evaluate(async () =>
      Promise.all(['/api/v1/principals', '/api/v1/policies'].map(async (u) => (await fetch(u)).status)),
    );
    expect(statuses).toEqual([200, 403]);
    const audit = await t.request('GET', '/api/v1/audit?action=iam:session:login', {
      token: await t.adminToken(),
    });
    expect(
      (audit.json() as { items: Array<{ outcome: string; detail: unknown }> }).items.some(
        (e) => e.outcome === 'succeeded' && (e.detail as { via?: string } | null)?.via === 'oidc',
      ),
    ).toBe(true);
  }, 180_000);

  it('ends on the login page with a clear message when the user cancels at the provider', async () => {
    const page = await fresh();
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Sign in with City Keycloak' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer), WAIT);
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    await page.waitForURL((u) => u.href.startsWith(base), WAIT);
    await expect
      .poll(async () => page.getByRole('alert').textContent(), WAIT)
      .toMatch(/cancelled or consent was denied/);
    expect(page.url()).not.toContain('signin_error');
    await shot(page, 'oidc-denied.png');
  }, 180_000);

  it('refuses an ID token whose nonce was changed on the way to the provider', async () => {
    const page = await fresh();
    // The start's redirect to the provider, rewritten in flight: the provider sees another nonce.
    let rewritten = 0;
    await page.context().route(
      (u) => u.pathname === '/api/v1/console/oidc/start',
      async (route) => {
        const res = await route.fetch({ maxRedirects: 0 });
        const location = new URL(res.headers().location!);
        location.searchParams.set('nonce', 'attacker-chosen-nonce');
        rewritten++;
        await route.fulfill({ response: res, headers: { ...res.headers(), location: location.href } });
      },
    );
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Sign in with City Keycloak' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer), WAIT);
    await shot(page, 'oidc-nonce-provider.png');
    await loginAtProvider(page, 'ana');
    await page.waitForURL((u) => u.href.startsWith(base), WAIT);
    expect(rewritten).toBe(1);
    await page.getByLabel('User name').waitFor(WAIT);
    await shot(page, 'oidc-nonce-refused.png');
    expect(await page.getByRole('alert').textContent()).toMatch(/nonce mismatch/);
    await shot(page, 'oidc-nonce-refused.png');
    expect((await page.context().cookies(base)).some((c) => c.name === 'msec_console')).toBe(false);
  }, 180_000);
});

describe('console OIDC sign-in refusals without a browser', () => {
  let idp: LoginIssuer;
  let t: TestPlatform;

  beforeAll(async () => {
    const idpPort = await freePort();
    t = await startTestPlatform({
      listen: true,
      modules: [oidcModule()],
      config: {
        oidc: {
          issuer: `http://127.0.0.1:${idpPort}`,
          audience: 'urn:msec:api-test',
          claimRoles: { 'city-operators': 'operator' },
          defaultOrg: 'santander',
          console: { clientId: 'msec-console', name: 'City Keycloak' },
        },
      },
    });
    idp = await startLoginIssuer(idpPort, { redirectUri: `${t.platform.url}${CALLBACK}`, users: {} });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  // The redirect URI is derived from the address the browser used.
  let host = '';
  const start = async () => {
    host = new URL(t.platform.url).host;
    const res = await t.request('GET', '/api/v1/console/oidc/start', { headers: { host } });
    expect(res.statusCode).toBe(302);
    const location = new URL(String(res.headers.location));
    const setCookie = String(res.headers['set-cookie']);
    const handle = /msec_oidc=([^;]+)/.exec(setCookie)?.[1];
    expect(setCookie).toMatch(/HttpOnly/);
    expect(handle).toBeTruthy();
    return { location, cookie: `msec_oidc=${handle}` };
  };
  const callback = async (query: Record<string, string>, cookie?: string) => {
    const res = await t.request('GET', `${CALLBACK}?${new URLSearchParams(query)}`, {
      headers: cookie ? { cookie, host } : { host },
    });
    expect(res.statusCode).toBe(302);
    expect(String(res.headers['set-cookie'])).not.toMatch(/msec_console=[^;]/);
    return String(res.headers.location);
  };

  it('lists the provider and redirects to its authorization endpoint with PKCE S256, state and nonce', async () => {
    expect((await t.request('GET', '/api/v1/console/providers')).json()).toEqual({
      providers: [{ id: 'oidc', name: 'City Keycloak', start: '/api/v1/console/oidc/start' }],
    });
    const { location } = await start();
    expect(location.origin + location.pathname).toBe(`${idp.issuer}/auth`);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('msec-console');
    expect(q.get('redirect_uri')).toBe(`${t.platform.url}${CALLBACK}`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(q.has('code_verifier')).toBe(false);
    // Two starts, two different secrets.
    expect((await start()).location.searchParams.get('state')).not.toBe(q.get('state'));
  });

  it('refuses a tampered state, a missing handle and a replayed one', async () => {
    const a = await start();
    const state = a.location.searchParams.get('state')!;
    expect(await callback({ code: 'c', state: `${state.slice(0, -1)}x` }, a.cookie)).toBe('/?signin_error=state');
    // The handle was used up by the failed attempt: the right state no longer helps.
    expect(await callback({ code: 'c', state }, a.cookie)).toBe('/?signin_error=state');
    const b = await start();
    expect(await callback({ code: 'c', state: b.location.searchParams.get('state')! })).toBe('/?signin_error=state');
    // Another browser's handle with this browser's state: refused.
    const c = await start();
    const d = await start();
    expect(await callback({ code: 'c', state: c.location.searchParams.get('state')! }, d.cookie)).toBe(
      '/?signin_error=state',
    );
    // Consent denied at the provider.
    const e = await start();
    expect(await callback({ error: 'access_denied', state: e.location.searchParams.get('state')! }, e.cookie)).toBe(
      '/?signin_error=denied',
    );
  });

  it('refuses ID tokens with a wrong nonce, audience, signature or expiry, and claims mapping to no role', async () => {
    const signin = t.platform.ctx.services.get(OIDC_SIGNIN);
    const forge = async (jwk: JWK, claims: Record<string, unknown>, o: { aud?: string; exp?: number } = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ roles: ['city-operators'], nonce: 'n-1', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid! })
        .setIssuer(idp.issuer)
        .setAudience(o.aud ?? 'msec-console')
        .setSubject('dora')
        .setIssuedAt(now - 10)
        .setExpirationTime(now + (o.exp ?? 300))
        .sign(await importJWK(jwk, 'RS256'));
    };
    const reason = async (token: string) =>
      signin.fromIdToken(token, 'n-1').then(
        () => 'accepted',
        (err: { details?: { reason?: string } }) => err.details?.reason,
      );
    const { signingKey } = await import('./helpers/oidc-issuer.ts');
    expect(await reason(await forge(idp.signingJwk, {}))).toBe('accepted');
    expect(await reason(await forge(idp.signingJwk, { nonce: 'n-2' }))).toBe('nonce');
    expect(await reason(await forge(idp.signingJwk, { nonce: undefined }))).toBe('nonce');
    expect(await reason(await forge(idp.signingJwk, {}, { aud: 'urn:msec:api-test' }))).toBe('failed');
    expect(await reason(await forge(await signingKey(idp.signingJwk.kid!), {}))).toBe('failed');
    expect(await reason(await forge(idp.signingJwk, {}, { exp: -600 }))).toBe('expired');
    expect(await reason(await forge(idp.signingJwk, { roles: ['coffee-club'] }))).toBe('no_role');
  });
});
