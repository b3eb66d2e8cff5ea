import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthModule } from '../src/iam/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

describe('OAuth 2.0 client-credentials authorization server', () => {
  let t: TestPlatform;
  let clientId: string;
  let clientSecret: string;

  beforeAll(async () => {
    t = await startTestPlatform({ modules: [oauthModule()] });
    const res = await t.request('POST', '/api/v1/oauth/clients', {
      token: await t.adminToken(),
      body: {
        name: 'traffic-dashboard',
        org: 'platform',
        roles: ['operator'],
        scopes: ['iam:audit:read', 'platform:metrics:read'],
      },
    });
    expect(res.statusCode).toBe(201);
    ({ clientId, clientSecret } = res.json() as { clientId: string; clientSecret: string });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const form = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    t.platform.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(fields).toString(),
    });
  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
  });

  it('issues a token with client_secret_basic that works within its scopes only', async () => {
    const res = await form(
      '/api/v1/oauth/token',
      { grant_type: 'client_credentials', scope: 'iam:audit:read' },
      basic(clientId, clientSecret),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json() as { access_token: string; token_type: string; scope: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'iam:audit:read' });
    expect((await t.request('GET', '/api/v1/audit', { token: body.access_token })).statusCode).toBe(200);
    // The client's operator role could read principals; the token's scope does not cover it.
    const denied = await t.request('GET', '/api/v1/principals', { token: body.access_token });
    expect(denied.statusCode).toBe(403);
  });

  it('accepts client_secret_post and signs with a key published in the JWKS', async () => {
    const res = await form('/api/v1/oauth/token', {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(res.statusCode).toBe(200);
    const { access_token: token, scope } = res.json() as { access_token: string; scope: string };
    expect(scope.split(' ').sort()).toEqual(['iam:audit:read', 'platform:metrics:read']);
    const jwks = (await t.request('GET', '/api/v1/oauth/jwks')).json() as JSONWebKeySet;
    const meta = (await t.request('GET', '/api/v1/oauth/metadata')).json() as {
      issuer: string;
      grant_types_supported: string[];
    };
    expect(meta.grant_types_supported).toEqual(['client_credentials']);
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: meta.issuer });
    expect(payload.client_id).toBe(clientId);
  });

  it('answers bad requests with RFC 6749 errors', async () => {
    const wrong = await form(
      '/api/v1/oauth/token',
      { grant_type: 'client_credentials' },
      basic(clientId, 'not-the-secret'),
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_client' });
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    expect(
      (
        await form('/api/v1/oauth/token', { grant_type: 'client_credentials' }, basic('oc_unknown', clientSecret))
      ).json(),
    ).toMatchObject({ error: 'invalid_client' });
    expect(
      (await form('/api/v1/oauth/token', { grant_type: 'password' }, basic(clientId, clientSecret))).json(),
    ).toMatchObject({ error: 'unsupported_grant_type' });
    const scope = await form(
      '/api/v1/oauth/token',
      { grant_type: 'client_credentials', scope: 'iam:principal:create' },
      basic(clientId, clientSecret),
    );
    expect(scope.statusCode).toBe(400);
    expect(scope.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('introspects (RFC 7662) and revokes (RFC 7009) tokens', async () => {
    const { access_token: token } = (
      await form('/api/v1/oauth/token', { grant_type: 'client_credentials' }, basic(clientId, clientSecret))
    ).json() as { access_token: string };
    const live = (await form('/api/v1/oauth/introspect', { token }, basic(clientId, clientSecret))).json() as {
      active: boolean;
      client_id: string;
    };
    expect(live).toMatchObject({ active: true, client_id: clientId });
    expect((await form('/api/v1/oauth/introspect', { token }, basic(clientId, 'nope'))).statusCode).toBe(401);
    expect((await form('/api/v1/oauth/revoke', { token }, basic(clientId, clientSecret))).statusCode).toBe(200);
    expect((await form('/api/v1/oauth/introspect', { token }, basic(clientId, clientSecret))).json()).toEqual({
      active: false,
    });
    expect((await t.request('GET', '/api/v1/audit', { token })).statusCode).toBe(401);
    // Garbage is inactive, never an error (RFC 7662 §2.2).
    expect(
      (await form('/api/v1/oauth/introspect', { token: 'garbage' }, basic(clientId, clientSecret))).json(),
    ).toEqual({ active: false });
  });

  it('lets only admins register clients', async () => {
    const { access_token: token } = (
      await form('/api/v1/oauth/token', { grant_type: 'client_credentials' }, basic(clientId, clientSecret))
    ).json() as { access_token: string };
    const res = await t.request('POST', '/api/v1/oauth/clients', {
      token,
      body: { name: 'sneaky', org: 'platform', roles: ['admin'], scopes: ['*'] },
    });
    expect(res.statusCode).toBe(403);
  });
});
