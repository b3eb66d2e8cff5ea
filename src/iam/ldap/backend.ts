import type { Kysely } from 'kysely';
import { MsecError, type Clock, type Store } from '../../core/index.ts';
import type { ExternalLoginResult, PasswordBackend } from '../authenticator.ts';
import type { PrincipalDirectory } from '../principals.ts';
import type { Subject } from '../subject.ts';
import type { TokenService } from '../tokens.ts';
import type { LdapDirectory, LdapUser } from './directory.ts';
import type { GroupMapping } from './mapping.ts';
import type { LdapTables } from './schema.ts';

export interface LdapBackendOptions {
  ldap: Pick<LdapDirectory, 'findUser' | 'checkPassword'>;
  mapping: GroupMapping;
  directory: PrincipalDirectory;
  tokens: TokenService;
  store: Store;
  clock: Clock;
  /** How long a directory answer (user, groups) is reused: the bound on how late a group change takes effect. */
  cacheTtlMs: number;
}

const MAX_CACHED = 10_000;

function ignoreConflict(err: unknown): void {
  if (!(err instanceof MsecError && err.code === 'CONFLICT')) throw err;
}

/**
 * Directory users log in with their LDAP password and are provisioned as msec principals; every
 * request they make re-reads their groups (cached for the TTL), so a group change takes effect
 * without restart or re-login, and a directory that cannot answer refuses them (fail closed).
 */
export class LdapBackend implements PasswordBackend {
  private readonly db: Kysely<LdapTables>;
  private readonly users = new Map<string, { user: LdapUser | undefined; expires: number }>();
  private readonly links = new Map<string, { linked: boolean; expires: number }>();

  constructor(private readonly opts: LdapBackendOptions) {
    this.db = opts.store.db.withTables<LdapTables>();
  }

  async login(username: string, password: string): Promise<ExternalLoginResult | undefined> {
    const local = await this.opts.directory.credentialsByName(username);
    let user: LdapUser | undefined;
    try {
      user = await this.opts.ldap.findUser(username);
    } catch (err) {
      // The embedded directory keeps working while LDAP is down: local accounts with a password log in as before.
      if (local && local.password_hash !== null) return undefined;
      throw err;
    }
    if (!user) return undefined;
    if (local && local.password_hash !== null) {
      throw new MsecError(
        'IAM_LDAP_NAME_CONFLICT',
        `a local account already holds the directory name ${username}; rename one of them`,
      );
    }
    if (!(await this.opts.ldap.checkPassword(user.dn, password)))
      throw new MsecError('INVALID_CREDENTIALS', 'invalid username or password');
    this.remember(username, user);
    const roles = this.opts.mapping.rolesOf(user.groups);
    if (roles.length === 0) throw new MsecError('IAM_LDAP_NO_ROLE', 'your directory groups give you no role in msec');
    const principal = await this.provision(user, local?.id, roles);
    if (principal.disabled) throw new MsecError('ACCOUNT_DISABLED', 'account is disabled');
    return { tokens: await this.opts.tokens.issue(principal), principalId: principal.id, orgId: principal.orgId };
  }

  /**
   * An access token of a directory user carries the roles it had at login; this replaces them
   * with the directory's current ones. Undefined for anything else (the normal checks apply).
   */
  async authenticate(credential: string): Promise<Subject | undefined> {
    let subject: Subject;
    try {
      subject = await this.opts.tokens.verifyAccessToken(credential);
    } catch {
      return undefined;
    }
    if (subject.kind !== 'user' || !(await this.isLinked(subject.id))) return undefined;
    const user = await this.currentUser(subject.name);
    const roles = user ? this.opts.mapping.rolesOf(user.groups) : [];
    if (roles.length === 0)
      throw new MsecError('IAM_LDAP_NO_ROLE', 'your directory groups no longer give you a role in msec');
    return { ...subject, roles };
  }

  private async currentUser(name: string): Promise<LdapUser | undefined> {
    const now = this.opts.clock.now();
    const hit = this.users.get(name);
    if (hit && hit.expires > now) return hit.user;
    const user = await this.opts.ldap.findUser(name);
    this.remember(name, user);
    return user;
  }

  private remember(name: string, user: LdapUser | undefined): void {
    if (this.users.size >= MAX_CACHED) this.users.delete(this.users.keys().next().value as string);
    this.users.set(name, { user, expires: this.opts.clock.now() + this.opts.cacheTtlMs });
  }

  private async isLinked(principalId: string): Promise<boolean> {
    const now = this.opts.clock.now();
    const hit = this.links.get(principalId);
    if (hit && hit.expires > now) return hit.linked;
    const row = await this.db
      .selectFrom('iam_ldap_links')
      .select('principal_id')
      .where('principal_id', '=', principalId)
      .executeTakeFirst();
    if (this.links.size >= MAX_CACHED) this.links.delete(this.links.keys().next().value as string);
    this.links.set(principalId, { linked: row !== undefined, expires: now + this.opts.cacheTtlMs });
    return row !== undefined;
  }

  /** Creates or updates the msec principal of a directory user, and links it to its DN. */
  private async provision(user: LdapUser, existingId: string | undefined, roles: ReturnType<GroupMapping['rolesOf']>) {
    const { directory } = this.opts;
    let principal;
    if (existingId) {
      principal = await directory.update(existingId, { roles, displayName: user.displayName });
    } else {
      const orgId = this.opts.mapping.orgOf(user.groups);
      // Concurrent first logins race to create the org and the principal: the loser uses the winner's.
      if (!(await directory.getOrg(orgId)))
        await directory.createOrg({ id: orgId, name: orgId, kind: 'city' }).catch(ignoreConflict);
      principal = await directory
        .createPrincipal({ orgId, kind: 'user', name: user.name, displayName: user.displayName ?? undefined, roles })
        .catch(async (err: unknown) => {
          ignoreConflict(err);
          const winner = await directory.findByName(user.name);
          if (!winner) throw err;
          return directory.update(winner.id, { roles, displayName: user.displayName });
        });
    }
    const now = this.opts.clock.now();
    await this.db
      .insertInto('iam_ldap_links')
      .values({ principal_id: principal.id, dn: user.dn, synced_at: now })
      .onConflict((oc) => oc.column('principal_id').doUpdateSet({ dn: user.dn, synced_at: now }))
      .execute();
    this.links.set(principal.id, { linked: true, expires: now + this.opts.cacheTtlMs });
    return principal;
  }
}
