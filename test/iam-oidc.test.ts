import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcModule } from '../src/iam/index.ts';
import { freePort, waitFor } from './helpers/net.ts';
import { signingKey, startIssuer, type TestIssuer } from './helpers/oidc-issuer.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

const AUDIENCE = 'urn:msec:api-test';

async function forge(
  jwk: JWK,
  claims: Record<string, unknown>,
  opts: { iss: string; aud: string; expSeconds?: number },
): Promise<string> {
  const key = await importJWK(jwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid! })
    .setIssuer(opts.iss)
    .setAudience(opts.aud)
    .setSubject('user-42')
    .setIssuedAt(now - 10)
    .setExpirationTime(now + (opts.expSeconds ?? 300))
    .sign(key);
}

describe('OIDC relying party against a real oidc-provider', () => {
  let port: number;
  let idp: TestIssuer;
  let t: TestPlatform;

  beforeAll(async () => {
    port = await freePort();
    idp = await startIssuer(port, { audience: AUDIENCE, roles: ['city-operators'] });
    t = await startTestPlatform({
      modules: [oidcModule()],
      config: {
        oidc: {
          issuer: idp.issuer,
          audience: AUDIENCE,
          claimRoles: { 'city-operators': 'operator', 'city-analysts': 'analyst' },
          defaultOrg: 'santander',
          clockSkewSeconds: 30,
          jwksCooldownSeconds: 1,
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  it('accepts a token from the issuer with the role its claims map to', async () => {
    const token = await idp.token();
    const me = await t.request('GET', '/api/v1/me', { token });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      principal: { kind: 'user', orgId: 'santander', displayName: 'city-portal' },
      via: 'token',
    });
    expect((await t.request('GET', '/api/v1/principals', { token })).statusCode).toBe(200);
  });

  it('grants only what the mapped role allows', async () => {
    const analyst = await forge(idp.signingJwk, { roles: ['city-analysts'] }, { iss: idp.issuer, aud: AUDIENCE });
    expect((await t.request('GET', '/api/v1/audit', { token: analyst })).statusCode).toBe(200);
    expect((await t.request('GET', '/api/v1/principals', { token: analyst })).statusCode).toBe(403);
    const nobody = await forge(idp.signingJwk, { roles: ['coffee-club'] }, { iss: idp.issuer, aud: AUDIENCE });
    expect((await t.request('GET', '/api/v1/me', { token: nobody })).json()).toMatchObject({
      error: { code: 'IAM_OIDC_NO_ROLE' },
    });
  });

  it('refuses wrong audience, expired tokens beyond the skew, alg none and foreign keys', async () => {
    const roles = { roles: ['city-operators'] };
    const cases: Array<[string, string]> = [
      ['wrong audience', await forge(idp.signingJwk, roles, { iss: idp.issuer, aud: 'someone-else' })],
      ['expired', await forge(idp.signingJwk, roles, { iss: idp.issuer, aud: AUDIENCE, expSeconds: -120 })],
      ['foreign key', await forge(await signingKey(idp.signingJwk.kid!), roles, { iss: idp.issuer, aud: AUDIENCE })],
    ];
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        ...roles,
        iss: idp.issuer,
        aud: AUDIENCE,
        sub: 'x',
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 300,
      }),
    ).toString('base64url');
    cases.push(['alg none', `${header}.${body}.`]);
    for (const [what, token] of cases) {
      const res = await t.request('GET', '/api/v1/me', { token });
      expect(res.statusCode, what).toBe(401);
      expect(res.json(), what).toMatchObject({ error: { code: 'IAM_OIDC_TOKEN_INVALID' } });
    }
    // Within the configured skew (30 s) a just-expired token still passes.
    const justExpired = await forge(idp.signingJwk, roles, { iss: idp.issuer, aud: AUDIENCE, expSeconds: -5 });
    expect((await t.request('GET', '/api/v1/me', { token: justExpired })).statusCode).toBe(200);
  });

  it('follows a key rotation at the provider by re-fetching its JWKS', async () => {
    const before = await idp.token();
    expect((await t.request('GET', '/api/v1/me', { token: before })).statusCode).toBe(200);
    await idp.stop();
    idp = await startIssuer(port, { audience: AUDIENCE, roles: ['city-operators'], key: await signingKey('rotated') });
    const after = await idp.token();
    // The new kid is unknown to the cached set: one re-fetch (cooldown 1 s) finds it.
    await waitFor(
      async () => (await t.request('GET', '/api/v1/me', { token: after })).statusCode === 200,
      20_000,
      'the rotated key to be fetched',
    );
    // A token under the retired key, no longer published, is refused.
    expect((await t.request('GET', '/api/v1/me', { token: before })).statusCode).toBe(401);
  });
});
