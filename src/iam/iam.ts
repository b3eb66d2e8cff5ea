import {
  MsecError,
  type Clock,
  type Config,
  type EventBus,
  type PlatformAccess,
  type PlatformKey,
  type Store,
} from '../core/index.ts';
import { ApiKeyService, looksLikeApiKey } from './api-keys.ts';
import { AuditLog } from './audit.ts';
import { PasswordAuthenticator } from './authenticator.ts';
import { LiveSessions } from './live-sessions.ts';
import { LoginThrottle } from './login-throttle.ts';
import { CentralPolicies } from './policies/central.ts';
import { PolicyEngine, type Decision, type ResourceRef } from './policy.ts';
import { PrincipalDirectory, type Principal } from './principals.ts';
import { RevocationList } from './revocations.ts';
import { SigningKeys } from './signing-keys.ts';
import type { Role } from './roles.ts';
import type { Subject } from './subject.ts';
import { TokenService } from './tokens.ts';
import { UsageAccounting } from './usage.ts';

export interface IamOptions {
  store: Store;
  key: PlatformKey;
  clock: Clock;
  /** The `auth` section of the platform configuration. */
  auth: Pick<
    Config['auth'],
    | 'accessTokenTtlSeconds'
    | 'refreshTokenTtlSeconds'
    | 'lockoutThreshold'
    | 'lockoutSeconds'
    | 'passwordHashCost'
    | 'signingKeyMaxAgeDays'
  >;
  /** Carries revocations to every process; without it they stay in this one (and the store). */
  bus?: EventBus | undefined;
  /** How often live sessions are checked again (default SESSION_RECHECK_MS). */
  sessionRecheckMs?: number | undefined;
  /** How long anonymous refusals are summed into one audit row (default AGGREGATE_INTERVAL_MS). */
  refusalWindowMs?: number | undefined;
  /** How often request accounting is added to the store (default 10 s). */
  usageFlushMs?: number | undefined;
  onUsageError?: ((err: unknown) => void) | undefined;
}

/** Security management (AAA): identities, authentication, authorization, accounting. */
export class Iam implements PlatformAccess {
  readonly directory: PrincipalDirectory;
  readonly revocations: RevocationList;
  readonly tokens: TokenService;
  /** Keys that sign access and OAuth tokens, rotated with overlap. */
  readonly signingKeys: SigningKeys;
  readonly apiKeys: ApiKeyService;
  readonly passwords: PasswordAuthenticator;
  readonly loginThrottle: LoginThrottle;
  readonly policy = new PolicyEngine();
  /** Central policies: stored statements evaluated by the same engine, hot-applied in every process. */
  readonly policies: CentralPolicies;
  readonly audit: AuditLog;
  /** Requests, denials and bytes per principal, resource and hour (audit reports). */
  readonly usage: UsageAccounting;
  /** Live connections (MQTT, SSE) bound to their credentials. */
  readonly sessions: LiveSessions;
  /** Extra bearer-credential authenticators contributed by modules (e.g. device tokens). */
  private readonly extraAuthenticators: Array<(credential: string) => Promise<Subject | undefined>> = [];

  constructor(private readonly opts: IamOptions) {
    const { store, clock } = opts;
    this.directory = new PrincipalDirectory(store, clock, opts.auth.passwordHashCost);
    this.revocations = new RevocationList(store, clock);
    this.signingKeys = new SigningKeys(
      store,
      opts.key,
      clock,
      opts.auth.accessTokenTtlSeconds * 1000,
      opts.auth.signingKeyMaxAgeDays ? opts.auth.signingKeyMaxAgeDays * 86_400_000 : undefined,
    );
    this.tokens = new TokenService(store, this.signingKeys, this.revocations, clock, {
      accessSeconds: opts.auth.accessTokenTtlSeconds,
      refreshSeconds: opts.auth.refreshTokenTtlSeconds,
    });
    this.apiKeys = new ApiKeyService(store, clock, this.revocations);
    this.loginThrottle = new LoginThrottle(store, clock, {
      freeFailures: opts.auth.lockoutThreshold,
      maxDelayMs: opts.auth.lockoutSeconds * 1000,
    });
    this.passwords = new PasswordAuthenticator(
      this.directory,
      this.tokens,
      this.loginThrottle,
      opts.auth.passwordHashCost,
    );
    this.audit = new AuditLog(store, clock, opts.refusalWindowMs);
    this.usage = new UsageAccounting(store, clock, opts.usageFlushMs, opts.onUsageError);
    this.policies = new CentralPolicies(store, this.policy, this.directory, clock);
    this.sessions = new LiveSessions(opts.sessionRecheckMs);
    // Any revocation, here or in another process, re-checks every live session at once (on the
    // next turn, after the other listeners have dropped what they cached).
    this.revocations.onRevoked(() => void setImmediate(() => void this.sessions.sweep()));
  }

  async start(): Promise<void> {
    await this.revocations.load();
    await this.signingKeys.start(this.opts.bus);
    await this.loginThrottle.prune();
    if (this.opts.bus) this.revocations.connect(this.opts.bus);
    await this.policies.start(this.opts.bus);
    this.usage.start();
  }

  async stop(): Promise<void> {
    this.revocations.disconnect();
    this.policies.stop();
    this.signingKeys.stop();
    this.sessions.stop();
    await this.audit.anonymous.stop();
    await this.usage.stop();
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

  /**
   * Rights are checked as they are now: every change to a principal's rights voids all its
   * credentials issued before (access tokens, refresh families; API keys re-read the principal),
   * in every process, and ends its live sessions. The principal logs in again with what it holds.
   */
  async revokeAll(principalId: string): Promise<void> {
    await this.revocations.revokeSubject(principalId, Math.max(this.opts.auth.accessTokenTtlSeconds, 3600) * 1000);
    await this.tokens.revokeAllRefreshTokens(principalId);
  }

  /** Disables a principal and voids its sessions and tokens at once. */
  async disable(principalId: string): Promise<void> {
    await this.directory.update(principalId, { disabled: true });
    await this.revokeAll(principalId);
  }

  /** Changes a principal's roles; its earlier credentials stop working at once. */
  async setRoles(principalId: string, roles: Role[]): Promise<Principal> {
    const p = await this.directory.update(principalId, { roles });
    await this.revokeAll(principalId);
    return p;
  }

  async setPassword(principalId: string, password: string): Promise<void> {
    await this.directory.setPassword(principalId, password);
    await this.revokeAll(principalId);
  }

  /** Deletes a principal (its keys, tokens and sessions go with it). */
  async remove(principalId: string): Promise<void> {
    await this.revokeAll(principalId);
    await this.directory.remove(principalId);
  }

  /** Lets a name log in again from everywhere at once (the recovery path: `msec admin unlock NAME`). */
  async unlock(principal: Principal): Promise<void> {
    await this.directory.unlock(principal.id);
    await this.loginThrottle.clear(principal.name);
  }

  /** Ends one session: its access token and its refresh family. */
  async logout(subject: Subject, refreshToken?: string): Promise<void> {
    if (subject.jti)
      await this.revocations.revokeToken(
        subject.jti,
        subject.expiresAt ?? this.opts.clock.now() + this.opts.auth.accessTokenTtlSeconds * 1000,
      );
    if (subject.family) await this.tokens.revokeFamily(subject.family);
    if (refreshToken) await this.tokens.revokeFamilyOf(refreshToken);
  }
}
