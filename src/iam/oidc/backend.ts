import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Kysely } from 'kysely';
import { MsecError, type Clock, type Store } from '../../core/index.ts';
import type { GroupMapping } from '../ldap/mapping.ts';
import type { PrincipalDirectory } from '../principals.ts';
import type { Subject } from '../subject.ts';
import type { OidcVerifier } from './verifier.ts';
import type { OidcTables } from './schema.ts';

export interface OidcBackendOptions {
  issuer: string;
  verifier: Pick<OidcVerifier, 'claimsThisIssuer' | 'verify'>;
  mapping: GroupMapping;
  rolesClaim: string;
  directory: PrincipalDirectory;
  store: Store;
  clock: Clock;
}

function claimValues(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/\s+/).filter(Boolean);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Reads a dotted claim path such as `realm_access.roles` (Keycloak's place for realm roles). */
export function claimAt(payload: JWTPayload, path: string): unknown {
  let cur: unknown = payload;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Accepts bearer tokens of the external OIDC provider: each verified token's claims give the
 * roles for that request; its (issuer, sub) is linked to an msec principal, created on first sight
 * under a name derived from both, so an IdP user can never take over a local account's name.
 */
export class OidcBackend {
  private readonly db: Kysely<OidcTables>;
  private readonly principals = new Map<string, { id: string; name: string; org: string }>();

  constructor(private readonly opts: OidcBackendOptions) {
    this.db = opts.store.db.withTables<OidcTables>();
  }

  async authenticate(credential: string): Promise<Subject | undefined> {
    if (!this.opts.verifier.claimsThisIssuer(credential)) return undefined;
    const payload = await this.opts.verifier.verify(credential);
    const roles = this.opts.mapping.rolesOf(claimValues(claimAt(payload, this.opts.rolesClaim)));
    if (roles.length === 0)
      throw new MsecError('IAM_OIDC_NO_ROLE', 'the token carries no claim that maps to an msec role');
    const groups = claimValues(claimAt(payload, this.opts.rolesClaim));
    const p = await this.principalFor(
      payload.sub!,
      groups,
      typeof payload.preferred_username === 'string' ? payload.preferred_username : undefined,
    );
    const disabled = (await this.opts.directory.get(p.id))?.disabled ?? true;
    if (disabled) throw new MsecError('ACCOUNT_DISABLED', 'account is disabled');
    return {
      id: p.id,
      name: p.name,
      kind: 'user',
      org: p.org,
      roles,
      via: 'token',
      ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
    };
  }

  private async principalFor(
    sub: string,
    groups: string[],
    displayName: string | undefined,
  ): Promise<{ id: string; name: string; org: string }> {
    const cached = this.principals.get(sub);
    if (cached) return cached;
    const { directory, issuer } = this.opts;
    const link = await this.db
      .selectFrom('iam_oidc_links')
      .select('principal_id')
      .where('issuer', '=', issuer)
      .where('subject', '=', sub)
      .executeTakeFirst();
    let principal = link ? await directory.get(link.principal_id) : undefined;
    if (!principal) {
      const orgId = this.opts.mapping.orgOf(groups);
      if (!(await directory.getOrg(orgId))) await directory.createOrg({ id: orgId, name: orgId, kind: 'city' });
      const name = `oidc.${createHash('sha256').update(`${issuer}\n${sub}`).digest('hex').slice(0, 20)}`;
      principal =
        (await directory.findByName(name)) ??
        (await directory.createPrincipal({
          orgId,
          kind: 'user',
          name,
          displayName: displayName?.slice(0, 200),
          roles: [],
        }));
      await this.db
        .insertInto('iam_oidc_links')
        .values({ issuer, subject: sub, principal_id: principal.id, created_at: this.opts.clock.now() })
        .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
        .execute();
    }
    const entry = { id: principal.id, name: principal.name, org: principal.orgId };
    if (this.principals.size >= 10_000) this.principals.delete(this.principals.keys().next().value as string);
    this.principals.set(sub, entry);
    return entry;
  }
}
