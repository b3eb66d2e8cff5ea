import { createHash } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { Kysely } from 'kysely';
import { MsecError, newId, newSecret, type Clock, type Store } from '../core/index.ts';
import type { Principal } from './principals.ts';
import type { RevocationList } from './revocations.ts';
import type { SigningKeys } from './signing-keys.ts';
import { isRole, PRINCIPAL_KINDS, type PrincipalKind } from './roles.ts';
import type { Subject } from './subject.ts';
import type { IamTables } from './schema.ts';

export const TOKEN_ISSUER = 'msec';
export const TOKEN_AUDIENCE = 'msec-api';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Bounded cache of verified access tokens: ECDSA verify is the dominant per-request cost. */
interface Verified {
  subject: Subject;
  exp: number;
  /** Issue time in ms. */
  issuedAt: number;
}

class VerifiedCache {
  private readonly map = new Map<string, Verified>();
  constructor(private readonly max = 10_000) {}
  get(token: string) {
    return this.map.get(token);
  }
  set(token: string, v: Verified) {
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(token, v);
  }
}

/** JWT access tokens (ES256, short-lived) and rotating opaque refresh tokens. */
export class TokenService {
  private readonly db: Kysely<IamTables>;
  private readonly cache = new VerifiedCache();

  constructor(
    store: Store,
    private readonly keys: SigningKeys,
    private readonly revocations: RevocationList,
    private readonly clock: Clock,
    private readonly ttl: { accessSeconds: number; refreshSeconds: number },
  ) {
    this.db = store.db.withTables<IamTables>();
  }

  async issue(principal: Principal, family = newId('f')): Promise<IssuedTokens> {
    const now = this.clock.now();
    const key = this.keys.active();
    // `iat_ms`: revocation compares issue times in milliseconds (a token issued in the same second
    // after a revocation stays valid); `fam`: logout ends the refresh family of this session too.
    const accessToken = await new SignJWT({
      org: principal.orgId,
      roles: principal.roles,
      kind: principal.kind,
      name: principal.name,
      iat_ms: now,
      fam: family,
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setSubject(principal.id)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setJti(newId())
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + this.ttl.accessSeconds)
      .sign(key.privateKey);
    const refreshToken = `rt_${newSecret(32)}`;
    await this.db
      .insertInto('iam_refresh_tokens')
      .values({
        token_hash: sha256(refreshToken),
        principal_id: principal.id,
        family,
        created_at: now,
        expires_at: now + this.ttl.refreshSeconds * 1000,
        revoked_at: null,
      })
      .execute();
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: this.ttl.accessSeconds };
  }

  /** The public key of a still-verifying signing key; an unknown kid fails verification. */
  private async verificationKey(kid: unknown) {
    const k = await this.keys.keyFor(kid);
    if (!k) throw new MsecError('TOKEN_INVALID', 'access token is signed by an unknown key');
    return k.publicKey;
  }

  /** Verifies signature, algorithm, issuer, audience, expiry and revocation. */
  async verifyAccessToken(token: string): Promise<Subject> {
    const nowSec = this.clock.now() / 1000;
    const cached = this.cache.get(token);
    if (cached && cached.exp > nowSec) {
      if (this.revocations.isRevoked(cached.subject.jti, cached.subject.id, cached.issuedAt))
        throw new MsecError('TOKEN_REVOKED', 'token has been revoked');
      return cached.subject;
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.verificationKey(header.kid), {
        algorithms: ['ES256'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        typ: 'at+jwt',
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new MsecError('TOKEN_EXPIRED', 'access token has expired');
      throw new MsecError('TOKEN_INVALID', 'access token is invalid');
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    const kind = PRINCIPAL_KINDS.includes(payload.kind as PrincipalKind) ? (payload.kind as PrincipalKind) : undefined;
    if (typeof payload.org !== 'string' || !kind || typeof payload.name !== 'string')
      throw new MsecError('TOKEN_INVALID', 'access token is invalid');
    const issuedAt =
      typeof payload.iat_ms === 'number' && Math.floor(payload.iat_ms / 1000) === payload.iat
        ? payload.iat_ms
        : payload.iat! * 1000 + 999;
    const subject: Subject = {
      id: payload.sub!,
      name: payload.name,
      kind,
      org: payload.org,
      roles,
      via: 'token',
      jti: payload.jti!,
      expiresAt: payload.exp! * 1000,
      ...(typeof payload.fam === 'string' ? { family: payload.fam } : {}),
    };
    if (this.revocations.isRevoked(subject.jti, subject.id, issuedAt))
      throw new MsecError('TOKEN_REVOKED', 'token has been revoked');
    this.cache.set(token, { subject, exp: payload.exp!, issuedAt });
    return subject;
  }

  /**
   * Exchanges a refresh token for a new pair (rotation). Presenting an already used token
   * revokes its whole family: someone holds a stolen copy.
   */
  async rotateRefreshToken(
    refreshToken: string,
    loadPrincipal: (id: string) => Promise<Principal | undefined>,
  ): Promise<IssuedTokens> {
    const hash = sha256(refreshToken);
    const row = await this.db
      .selectFrom('iam_refresh_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    const now = this.clock.now();
    if (!row) throw new MsecError('TOKEN_INVALID', 'refresh token is invalid');
    if (row.revoked_at !== null) {
      await this.revokeFamily(row.family);
      throw new MsecError('TOKEN_REVOKED', 'refresh token was already used or revoked');
    }
    if (row.expires_at <= now) throw new MsecError('TOKEN_EXPIRED', 'refresh token has expired');
    const principal = await loadPrincipal(row.principal_id);
    if (!principal || principal.disabled) throw new MsecError('ACCOUNT_DISABLED', 'account is disabled');
    const res = await this.db
      .updateTable('iam_refresh_tokens')
      .set({ revoked_at: now })
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    // Lost a race with a concurrent use of the same token: treat as reuse.
    if (Number(res.numUpdatedRows) !== 1) {
      await this.revokeFamily(row.family);
      throw new MsecError('TOKEN_REVOKED', 'refresh token was already used');
    }
    return this.issue(principal, row.family);
  }

  async revokeFamilyOf(refreshToken: string): Promise<void> {
    const row = await this.db
      .selectFrom('iam_refresh_tokens')
      .select('family')
      .where('token_hash', '=', sha256(refreshToken))
      .executeTakeFirst();
    if (row) await this.revokeFamily(row.family);
  }

  async revokeAllRefreshTokens(principalId: string): Promise<void> {
    await this.db
      .updateTable('iam_refresh_tokens')
      .set({ revoked_at: this.clock.now() })
      .where('principal_id', '=', principalId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async revokeFamily(family: string): Promise<void> {
    await this.db
      .updateTable('iam_refresh_tokens')
      .set({ revoked_at: this.clock.now() })
      .where('family', '=', family)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
