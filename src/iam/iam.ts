import { MsecError, type Clock, type Config, type PlatformAccess, type PlatformKey, type Store } from '../core/index.ts';
import { ApiKeyService, looksLikeApiKey } from './api-keys.ts';
import { AuditLog } from './audit.ts';
import { PasswordAuthenticator } from './authenticator.ts';
import { PolicyEngine, type Decision, type ResourceRef } from './policy.ts';
import { PrincipalDirectory } from './principals.ts';
import { RevocationList } from './revocations.ts';
import type { Subject } from './subject.ts';
import { TokenService } from './tokens.ts';

export interface IamOptions {
  store: Store;
  key: PlatformKey;
  clock: Clock;
  /** The `auth` section of the platform configuration. */
  auth: Pick<Config['auth'], 'accessTokenTtlSeconds' | 'refreshTokenTtlSeconds' | 'lockoutThreshold' | 'lockoutSeconds' | 'passwordHashCost'>;
}

/** Security management (AAA): identities, authentication, authorization, accounting. */
export class Iam implements PlatformAccess {
  readonly directory: PrincipalDirectory;
  readonly revocations: RevocationList;
  readonly tokens: TokenService;
  readonly apiKeys: ApiKeyService;
  readonly passwords: PasswordAuthenticator;
  readonly policy = new PolicyEngine();
  readonly audit: AuditLog;
  /** Extra bearer-credential authenticators contributed by modules (e.g. device tokens). */
  private readonly extraAuthenticators: Array<(credential: string) => Promise<Subject | undefined>> = [];

  constructor(private readonly opts: IamOptions) {
    const { store, clock } = opts;
    this.directory = new PrincipalDirectory(store, clock, opts.auth.passwordHashCost);
    this.revocations = new RevocationList(store, clock);
    this.tokens = new TokenService(store, opts.key, this.revocations, clock, {
      accessSeconds: opts.auth.accessTokenTtlSeconds,
      refreshSeconds: opts.auth.refreshTokenTtlSeconds,
    });
    this.apiKeys = new ApiKeyService(store, clock, this.revocations);
    this.passwords = new PasswordAuthenticator(
      this.directory,
      this.tokens,
      this.revocations,
      clock,
      { threshold: opts.auth.lockoutThreshold, lockoutMs: opts.auth.lockoutSeconds * 1000 },
      opts.auth.passwordHashCost,
      opts.auth.accessTokenTtlSeconds * 1000,
    );
    this.audit = new AuditLog(store, clock);
  }

  async start(): Promise<void> {
    await this.revocations.load();
  }

  addAuthenticator(fn: (credential: string) => Promise<Subject | undefined>): void {
    this.extraAuthenticators.push(fn);
  }

  /** Authenticates a bearer credential: an access token, an API key, or a module's credential. */
  async authenticate(credential: string): Promise<Subject> {
    if (credential.length > 8192) throw new MsecError('TOKEN_INVALID', 'credential is too long');
    if (looksLikeApiKey(credential)) return this.apiKeys.authenticate(credential, (id) => this.directory.get(id));
    for (const fn of this.extraAuthenticators) {
      const subject = await fn(credential);
      if (subject) return subject;
    }
    return this.tokens.verifyAccessToken(credential);
  }

  decide(subject: Subject, action: string, resource: ResourceRef): Decision {
    return this.policy.decide(subject, action, resource);
  }

  /** Throws FORBIDDEN unless the policy allows. */
  authorize(subject: Subject, action: string, resource: ResourceRef): void {
    const d = this.decide(subject, action, resource);
    if (!d.allow) throw new MsecError('FORBIDDEN', `not allowed: ${action}`, { details: { reason: d.reason } });
  }

  /** Disables a principal and voids its sessions and tokens at once. */
  async disable(principalId: string): Promise<void> {
    await this.directory.update(principalId, { disabled: true });
    await this.revocations.revokeSubject(principalId, this.opts.auth.accessTokenTtlSeconds * 1000);
    await this.tokens.revokeAllRefreshTokens(principalId);
  }
}
