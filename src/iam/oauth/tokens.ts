import { decodeJwt, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { MsecError, newId, type Clock } from '../../core/index.ts';
import type { PrincipalDirectory } from '../principals.ts';
import type { RevocationList } from '../revocations.ts';
import type { SigningKeys } from '../signing-keys.ts';
import type { Subject } from '../subject.ts';
import { TOKEN_AUDIENCE } from '../tokens.ts';
import type { OAuthClient } from './clients.ts';

/**
 * The issuer of tokens issued before issuers were URLs; still accepted until they expire. Distinct from
 * msec's session tokens (issuer `msec`), so a scoped token can never pass as an unscoped one.
 */
export const OAUTH_ISSUER = 'msec-oauth';

/**
 * The issuer (RFC 8414 §2: an https URL, no query or fragment): `publicUrl` when configured, else the
 * origin the client reached us at. Without `publicUrl` any http(s) issuer signed by our keys is ours.
 */
export class OAuthIssuer {
  constructor(private readonly publicUrl?: string | undefined) {}

  of(req: { protocol: string; host: string }): string {
    return this.publicUrl ? this.publicUrl.replace(/\/$/, '') : `${req.protocol}://${req.host}`;
  }

  accepts(iss: unknown): boolean {
    if (iss === OAUTH_ISSUER) return true;
    if (typeof iss !== 'string') return false;
    return this.publicUrl ? iss === this.publicUrl.replace(/\/$/, '') : /^https?:\/\/[^\s/]+$/.test(iss);
  }
}

/** Client-credentials access tokens (RFC 9068 JWTs, ES256) with introspection (RFC 7662) and revocation (RFC 7009). */
export class OAuthTokens {
  constructor(
    private readonly keys: SigningKeys,
    readonly issuer: OAuthIssuer,
    private readonly directory: PrincipalDirectory,
    private readonly revocations: RevocationList,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
  ) {}

  /** Scopes granted: the requested ones when all are registered for the client, else all registered. */
  grantScopes(client: OAuthClient, requested: string | undefined): string[] | undefined {
    if (requested === undefined || requested.trim() === '') return client.scopes;
    const wanted = [...new Set(requested.split(' ').filter(Boolean))];
    return wanted.every((s) => client.scopes.includes(s)) ? wanted : undefined;
  }

  async issue(
    client: OAuthClient,
    scopes: string[],
    issuer: string,
  ): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    const now = Math.floor(this.clock.now() / 1000);
    const key = this.keys.active();
    const token = await new SignJWT({ client_id: client.clientId, scope: scopes.join(' ') })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(client.principalId)
      .setJti(newId())
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .sign(key.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds, scope: scopes.join(' ') };
  }

  /** Verified claims of one of our OAuth tokens that is neither expired nor revoked, else undefined. */
  async claims(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const k = await this.keys.keyFor(header.kid);
          if (!k) throw new Error('unknown signing key');
          return k.publicKey;
        },
        {
          algorithms: ['ES256'],
          audience: TOKEN_AUDIENCE,
          typ: 'at+jwt',
          currentDate: new Date(this.clock.now()),
          requiredClaims: ['sub', 'jti', 'exp', 'iat', 'scope', 'iss'],
        },
      );
      if (!this.issuer.accepts(payload.iss)) return undefined;
      if (this.revocations.isRevoked(payload.jti, payload.sub!, payload.iat! * 1000)) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }

  /** A bearer credential that claims to be one of ours: its subject, limited to its scopes. */
  async authenticate(credential: string): Promise<Subject | undefined> {
    let claimed: JWTPayload | undefined;
    try {
      claimed = credential.split('.').length === 3 ? decodeJwt(credential) : undefined;
    } catch {
      return undefined;
    }
    // Ours: an OAuth client's token (session tokens carry no client_id) from an issuer we accept.
    if (!claimed || typeof claimed.client_id !== 'string' || !this.issuer.accepts(claimed.iss)) return undefined;
    const payload = await this.claims(credential);
    if (!payload) throw new MsecError('TOKEN_INVALID', 'OAuth access token is invalid, expired or revoked');
    const principal = await this.directory.get(payload.sub!);
    if (!principal || principal.disabled) throw new MsecError('ACCOUNT_DISABLED', 'the client is disabled');
    const scopes = String(payload.scope).split(' ').filter(Boolean);
    return {
      id: principal.id,
      name: principal.name,
      kind: principal.kind,
      org: principal.orgId,
      roles: principal.roles,
      via: 'token',
      jti: payload.jti!,
      scopes,
    };
  }

  /** RFC 7662 response for a token. */
  async introspect(token: string): Promise<Record<string, unknown>> {
    const p = await this.claims(token);
    if (!p) return { active: false };
    return {
      active: true,
      scope: p.scope,
      client_id: p.client_id,
      sub: p.sub,
      iss: p.iss,
      aud: p.aud,
      exp: p.exp,
      iat: p.iat,
      jti: p.jti,
      token_type: 'Bearer',
    };
  }

  /** RFC 7009: revokes a token of this client; unknown or foreign tokens are ignored (200 either way). */
  async revoke(token: string, clientId: string): Promise<void> {
    const p = await this.claims(token);
    if (p && p.client_id === clientId) await this.revocations.revokeToken(p.jti!, p.exp! * 1000);
  }
}
