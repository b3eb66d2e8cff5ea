import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import Provider from 'oidc-provider';
import { signingKey } from './oidc-issuer.ts';

export interface LoginIssuer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  signingJwk: JWK;
  stop(): Promise<void>;
}

/**
 * oidc-provider as a city's Keycloak for interactive sign-in: one confidential web client with
 * the authorization code flow (PKCE required), the provider's own login and consent pages
 * (devInteractions: any password), and accounts whose `roles` claim comes from `users`.
 */
export async function startLoginIssuer(
  port: number,
  opts: { redirectUri: string; users: Record<string, string[]>; clientSecret?: string },
): Promise<LoginIssuer> {
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'msec-console';
  const clientSecret = opts.clientSecret ?? randomBytes(24).toString('base64url');
  const signingJwk = await signingKey(`k-${randomBytes(4).toString('hex')}`);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [opts.redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub'], profile: ['preferred_username', 'roles'] },
    // The roles claim in the ID token itself (not only at userinfo), as Keycloak's mappers do.
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, preferred_username: id, roles: opts.users[id] ?? [] }),
    }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    issuer,
    clientId,
    clientSecret,
    signingJwk,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
