import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { MsecError, type Clock } from '../../core/index.ts';

export interface OidcVerifierOptions {
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  jwksCooldownMs: number;
  timeoutMs: number;
  clock: Clock;
}

/** Asymmetric algorithms only: `none` and shared-secret HMAC (which a public JWKS would let anyone forge) are refused. */
export const OIDC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/**
 * Verifies tokens of one external OpenID Connect provider: discovery (issuer must match), the
 * provider's JWKS (re-fetched when an unknown key id appears, at most once per cooldown),
 * signature, issuer, audience, expiry and not-before with a bounded clock skew.
 */
export class OidcVerifier {
  private jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  private lastDiscoveryFailure = 0;

  constructor(private readonly opts: OidcVerifierOptions) {}

  /** True when the credential is a JWT naming this provider as its issuer (cheap, unverified). */
  claimsThisIssuer(credential: string): boolean {
    if (credential.split('.').length !== 3) return false;
    try {
      return decodeJwt(credential).iss === this.opts.issuer;
    } catch {
      return false;
    }
  }

  async verify(token: string): Promise<JWTPayload> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new MsecError('IAM_OIDC_TOKEN_INVALID', 'token is not a JWT');
    }
    if (typeof alg !== 'string' || !OIDC_ALGORITHMS.includes(alg))
      throw new MsecError('IAM_OIDC_TOKEN_INVALID', `token algorithm ${String(alg)} is not accepted`);
    const keys = await this.keys();
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: OIDC_ALGORITHMS,
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        clockTolerance: this.opts.clockSkewSeconds,
        currentDate: new Date(this.opts.clock.now()),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return payload;
    } catch (err) {
      if (
        err instanceof joseErrors.JWKSTimeout ||
        (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC')
      ) {
        throw new MsecError(
          'IAM_OIDC_PROVIDER_UNAVAILABLE',
          `the OIDC provider's JWKS could not be fetched: ${err.message}`,
        );
      }
      if (err instanceof joseErrors.JWTExpired) throw new MsecError('IAM_OIDC_TOKEN_INVALID', 'token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed)
        throw new MsecError('IAM_OIDC_TOKEN_INVALID', `token claim ${err.claim} is not acceptable`);
      if (err instanceof joseErrors.JWKSNoMatchingKey)
        throw new MsecError('IAM_OIDC_TOKEN_INVALID', 'token is signed with a key the provider does not publish');
      throw new MsecError('IAM_OIDC_TOKEN_INVALID', 'token signature or format is invalid');
    }
  }

  /** Discovery once (retried after a failure, at most once per cooldown), then the provider's remote key set. */
  private keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (!this.jwks) {
      if (this.opts.clock.now() - this.lastDiscoveryFailure < this.opts.jwksCooldownMs) {
        return Promise.reject(
          new MsecError(
            'IAM_OIDC_PROVIDER_UNAVAILABLE',
            'the OIDC provider was unreachable moments ago; retrying later',
          ),
        );
      }
      this.jwks = this.discover().catch((err: unknown) => {
        this.jwks = undefined;
        this.lastDiscoveryFailure = this.opts.clock.now();
        throw err;
      });
    }
    return this.jwks;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const url = `${this.opts.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.opts.timeoutMs), redirect: 'error' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as typeof doc;
    } catch (err) {
      throw new MsecError(
        'IAM_OIDC_PROVIDER_UNAVAILABLE',
        `OIDC discovery at ${url} failed: ${(err as Error).message}`,
      );
    }
    // OpenID Connect Discovery §4.3: the document's issuer must equal the configured one exactly.
    if (doc.issuer !== this.opts.issuer)
      throw new MsecError(
        'IAM_OIDC_PROVIDER_UNAVAILABLE',
        `OIDC discovery names issuer ${String(doc.issuer)}, not ${this.opts.issuer}`,
      );
    if (typeof doc.jwks_uri !== 'string')
      throw new MsecError('IAM_OIDC_PROVIDER_UNAVAILABLE', 'OIDC discovery document has no jwks_uri');
    return createRemoteJWKSet(new URL(doc.jwks_uri), {
      cooldownDuration: this.opts.jwksCooldownMs,
      timeoutDuration: this.opts.timeoutMs,
    });
  }
}
