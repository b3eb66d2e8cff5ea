/**
 * Token-signing key rotation with overlap, and discovery at the root: after a rotation the new key
 * signs, tokens signed by the old key keep working until they expire, the JWKS serves both and then
 * drops the old one; a second platform on the same store verifies the new key's tokens without a bus;
 * `msec admin rotate-keys` rotates a data directory's keys; rotation by age; RFC 8414 metadata whose
 * issuer is the `iss` of the tokens and whose jwks_uri verifies them.
 */
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, generatePlatformKey, loadOrCreatePlatformKey } from '../src/core/index.ts';
import { oauthModule } from '../src/iam/index.ts';
import { runMsec } from './helpers/cli.ts';
import { waitFor } from './helpers/net.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { sqliteCase } from './helpers/stores.ts';

const TTL = 900;

describe('token-signing key rotation', () => {
  const clock = new ManualClock(Date.now());
  let t: TestPlatform;
  let other: TestPlatform;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await sqliteCase.open([]);
    cleanup = opened.cleanup;
    t = await startTestPlatform({ store: opened.store, clock, modules: [oauthModule()] });
    // A second platform on the same store with its own bus: it hears of nothing, it finds the key.
    other = await startTestPlatform({ store: opened.store, clock, keysFrom: t.dataDir });
  }, 60_000);

  afterAll(async () => {
    await other?.close();
    await t?.close();
    await cleanup?.();
  });

  const jwks = async (p: TestPlatform) => (await p.request('GET', '/.well-known/jwks.json')).json() as JSONWebKeySet;
  const me = async (p: TestPlatform, token: string) => (await p.request('GET', '/api/v1/me', { token })).statusCode;

  it('the new key signs, the old one verifies until its tokens have expired, the JWKS serves both meanwhile', async () => {
    const platformKid = loadOrCreatePlatformKey(t.dataDir).key.kid;
    const before = await t.login('admin', t.adminPassword);
    expect(decodeProtectedHeader(before).kid).toBe(platformKid);
    expect((await jwks(t)).keys.map((k) => k.kid)).toEqual([platformKid]);

    const r = await t.platform.ctx.iam.signingKeys.rotate();
    expect(r.previous).toBe(platformKid);
    const after = await t.login('admin', t.adminPassword);
    expect(decodeProtectedHeader(after).kid).toBe(r.kid);
    expect((await jwks(t)).keys.map((k) => k.kid)).toEqual([r.kid, platformKid]);
    // Both work, here and on the other platform (which learns of the new key from the store).
    for (const p of [t, other]) {
      expect(await me(p, before)).toBe(200);
      expect(await me(p, after)).toBe(200);
    }
    // Everything the JWKS serves verifies what msec signs.
    await jwtVerify(after, createLocalJWKSet(await jwks(t)), { currentDate: new Date(clock.now()) });

    // Past the old tokens' lifetime (and the slack), the old key leaves the JWKS and verifies nothing.
    clock.advance((TTL + 120) * 1000);
    expect((await jwks(t)).keys.map((k) => k.kid)).toEqual([r.kid]);
    const oldKey = loadOrCreatePlatformKey(t.dataDir).key;
    const now = Math.floor(clock.now() / 1000);
    const lateOld = await new SignJWT({ org: 'platform', roles: ['admin'], kind: 'user', name: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid: oldKey.kid, typ: 'at+jwt' })
      .setSubject('anyone')
      .setIssuer('msec')
      .setAudience('msec-api')
      .setJti('j1')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(oldKey.privateKey);
    const refused = await t.request('GET', '/api/v1/me', { token: lateOld });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('TOKEN_INVALID');
    // A key msec never had is refused too (no reload loop, a clear code).
    const foreign = generatePlatformKey();
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: foreign.kid, typ: 'at+jwt' })
      .sign(foreign.privateKey);
    expect((await t.request('GET', '/api/v1/me', { token: forged })).statusCode).toBe(401);
  });

  it('OAuth tokens are signed by the active key and their issuer is the metadata issuer', async () => {
    const admin = await t.login('admin', t.adminPassword);
    const reg = await t.request('POST', '/api/v1/oauth/clients', {
      token: admin,
      body: { name: 'meter-reader', org: 'platform', roles: ['operator'], scopes: ['iam:audit:read'] },
    });
    const { clientId, clientSecret } = reg.json() as { clientId: string; clientSecret: string };
    const tokenRes = await t.platform.app.inject({
      method: 'POST',
      url: '/api/v1/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'msec.city.example' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
    });
    const token = (tokenRes.json() as { access_token: string }).access_token;
    const wellKnown = async (path: string) =>
      (await t.platform.app.inject({ method: 'GET', url: path, headers: { host: 'msec.city.example' } })).json() as {
        issuer: string;
        jwks_uri: string;
        token_endpoint: string;
      };
    const as = await wellKnown('/.well-known/oauth-authorization-server');
    const oidc = await wellKnown('/.well-known/openid-configuration');
    expect(as.issuer).toBe('http://msec.city.example');
    expect(oidc).toEqual(as);
    expect(as.token_endpoint).toBe('http://msec.city.example/api/v1/oauth/token');
    expect(as.jwks_uri).toBe('http://msec.city.example/.well-known/jwks.json');
    const keys = (await t.request('GET', new URL(as.jwks_uri).pathname)).json() as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(keys), {
      issuer: as.issuer,
      currentDate: new Date(clock.now()),
    });
    expect(payload.client_id).toBe(clientId);
    expect(protectedHeader.kid).toBe(t.platform.ctx.iam.signingKeys.active().kid);
    expect((await t.request('GET', '/api/v1/audit', { token })).statusCode).toBe(200);
  });
});

describe('discovery with a configured public URL', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ modules: [oauthModule()], config: { publicUrl: 'https://msec.city.example' } });
  }, 60_000);
  afterAll(async () => t?.close());

  it('uses MSEC_PUBLIC_URL as the issuer whatever the Host header says', async () => {
    const res = await t.request('GET', '/.well-known/openid-configuration', { headers: { host: 'evil.example' } });
    expect(res.json()).toMatchObject({
      issuer: 'https://msec.city.example',
      jwks_uri: 'https://msec.city.example/.well-known/jwks.json',
      token_endpoint: 'https://msec.city.example/api/v1/oauth/token',
    });
  });
});

describe('rotation by age and by the CLI', () => {
  it('rotates at start and again once the active key is older than signingKeyMaxAgeDays', async () => {
    const clock = new ManualClock(Date.now());
    const t = await startTestPlatform({ clock, config: { auth: { signingKeyMaxAgeDays: 30 } } });
    try {
      const keys = t.platform.ctx.iam.signingKeys;
      const platformKid = loadOrCreatePlatformKey(t.dataDir).key.kid;
      // The platform key's age is unknown: it is rotated away at once.
      const first = keys.active().kid;
      expect(first).not.toBe(platformKid);
      expect(await keys.rotateIfOld()).toBe(false);
      clock.advance(31 * 86_400_000);
      expect(await keys.rotateIfOld()).toBe(true);
      expect(keys.active().kid).not.toBe(first);
    } finally {
      await t.close();
    }
  });

  it('msec admin rotate-keys: a running platform picks the new key up from the store', async () => {
    const t = await startTestPlatform({ listen: true });
    try {
      const before = await t.login('admin', t.adminPassword);
      const r = await runMsec(['admin', 'rotate-keys', '--data-dir', t.dataDir]);
      expect(r.code, r.stderr).toBe(0);
      const m = /^signing with (\S+); (\S+) verifies until (\S+)$/.exec(r.stdout.trim());
      expect(m?.[2]).toBe(decodeProtectedHeader(before).kid);
      // The server re-reads the ring periodically (no bus between the CLI and it).
      await waitFor(
        async () => decodeProtectedHeader(await t.login('admin', t.adminPassword)).kid === m?.[1],
        90_000,
        'the server signs with the rotated key',
      );
      expect((await t.request('GET', '/api/v1/me', { token: before })).statusCode).toBe(200);
      const audit = await t.request('GET', '/api/v1/audit?action=iam:signing-key:rotate', {
        token: await t.adminToken(),
      });
      expect(audit.json().items[0]).toMatchObject({ actorName: 'cli', resource: `signing-key kid=${m?.[1]}` });
    } finally {
      await t.close();
    }
  }, 150_000);
});
