import { timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { MsecError, serviceKey, type Clock } from '../../core/index.ts';
import type { PrincipalDirectory } from '../principals.ts';
import type { Subject } from '../subject.ts';
import type { IssuedTokens, TokenService } from '../tokens.ts';
import type { OidcBackend } from './backend.ts';

/** Why a sign-in at the provider ended without a session: the console shows a message for each. */
export type SigninFailure = 'state' | 'nonce' | 'denied' | 'expired' | 'no_role' | 'unavailable' | 'failed';

/** What the browser's login must bring back: kept server-side, never in the URL or page. */
export interface PendingSignin {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
}

export interface OidcSigninOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  name: string;
  scope: string;
  redirectUri?: string;
  timeoutMs: number;
  /** Verifies the ID token (signature via the provider's JWKS, issuer, audience = clientId, expiry) and maps claims to roles. */
  idTokens: Pick<OidcBackend, 'authenticate'>;
  directory: PrincipalDirectory;
  tokens: Pick<TokenService, 'issue'>;
  clock: Clock;
}

export interface SignedIn {
  subject: Subject;
  /** msec's own tokens for the linked principal, carrying the roles the provider's claims map to. */
  tokens: IssuedTokens;
}

function fail(reason: SigninFailure, message: string): MsecError {
  return new MsecError('IAM_OIDC_SIGNIN_FAILED', message, { details: { reason } });
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The console's sign-in at the external provider: OpenID Connect authorization code flow with
 * PKCE (S256), state and nonce, by openid-client. The ID token is then verified once more by the
 * relying party's own verifier (JWKS signature, issuer, audience, expiry) and its claims mapped
 * to roles exactly as for bearer tokens; the session then runs on msec's own tokens.
 */
export class OidcSignin {
  private config: Promise<client.Configuration> | undefined;

  constructor(private readonly opts: OidcSigninOptions) {}

  get name(): string {
    return this.opts.name;
  }

  /** The configured redirect URI, else the callback under the origin the browser used. */
  redirectUriFor(origin: string): string {
    return this.opts.redirectUri ?? `${origin}/api/v1/console/oidc/callback`;
  }

  /** The provider's authorization URL and what the callback must match. */
  async begin(redirectUri: string): Promise<{ url: string; pending: PendingSignin }> {
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingSignin = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      redirectUri,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.opts.scope,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** The callback's query checked against the pending sign-in, the code exchanged, the ID token verified. */
  async complete(query: URLSearchParams, pending: PendingSignin): Promise<SignedIn> {
    const state = query.get('state');
    if (state === null || !sameString(state, pending.state))
      throw fail('state', 'the sign-in answer does not belong to this browser (state mismatch)');
    const error = query.get('error');
    if (error !== null)
      throw fail(
        error === 'access_denied' ? 'denied' : 'failed',
        `the provider refused the sign-in: ${error.slice(0, 64)}`,
      );
    const config = await this.configuration();
    const current = new URL(pending.redirectUri);
    current.search = query.toString();
    let idToken: string | undefined;
    try {
      const res = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      idToken = res.id_token;
    } catch (err) {
      if (err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError)
        throw fail('failed', `the provider refused the code exchange: ${err.error}`);
      // openid-client wraps oauth4webapi's finding: the claim that failed is named by the cause.
      if (
        err instanceof client.ClientError &&
        /"nonce"/.test(`${err.message} ${(err.cause as Error | undefined)?.message}`)
      )
        throw fail('nonce', 'the ID token was not issued for this sign-in (nonce mismatch)');
      if (err instanceof client.ClientError)
        throw fail('failed', `the provider's answer failed a check: ${err.message}`);
      throw fail('unavailable', `the provider could not be reached: ${(err as Error).message}`);
    }
    if (!idToken) throw fail('failed', 'the provider returned no ID token');
    return this.fromIdToken(idToken, pending.nonce);
  }

  /** The ID token verified by the relying party's own code, its nonce matched, then msec's tokens issued. */
  async fromIdToken(idToken: string, expectedNonce: string): Promise<SignedIn> {
    let subject: Subject | undefined;
    try {
      subject = await this.opts.idTokens.authenticate(idToken);
    } catch (err) {
      if (err instanceof MsecError && err.code === 'IAM_OIDC_NO_ROLE')
        throw fail('no_role', 'your account at the provider has no role in msec');
      if (err instanceof MsecError && err.code === 'IAM_OIDC_PROVIDER_UNAVAILABLE')
        throw fail('unavailable', err.message);
      if (err instanceof MsecError && err.message.includes('expired')) throw fail('expired', err.message);
      throw fail('failed', err instanceof Error ? err.message : 'the ID token is invalid');
    }
    if (!subject) throw fail('failed', 'the ID token is not from the configured provider');
    const nonce = decodeJwt(idToken).nonce;
    if (typeof nonce !== 'string' || !sameString(nonce, expectedNonce))
      throw fail('nonce', 'the ID token was not issued for this sign-in (nonce mismatch)');
    const principal = await this.opts.directory.get(subject.id);
    if (!principal) throw fail('failed', 'the linked principal does not exist');
    const tokens = await this.opts.tokens.issue({ ...principal, roles: [...subject.roles] });
    return { subject, tokens };
  }

  /** Discovery once; retried on the next sign-in after a failure. */
  private configuration(): Promise<client.Configuration> {
    if (!this.config) {
      const { issuer, clientId, clientSecret, timeoutMs } = this.opts;
      this.config = client
        .discovery(
          new URL(issuer),
          clientId,
          clientSecret ? { client_secret: clientSecret } : { token_endpoint_auth_method: 'none' },
          clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
          {
            timeout: Math.ceil(timeoutMs / 1000),
            ...(new URL(issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
          },
        )
        .catch((err: unknown) => {
          this.config = undefined;
          throw fail('unavailable', `OIDC discovery failed: ${(err as Error).message}`);
        });
    }
    return this.config;
  }
}

/** Present when the oidc section configures the console's sign-in. */
export const OIDC_SIGNIN = serviceKey<OidcSignin>('iam.oidc-signin');
