import { MsecError, type Clock } from '../core/index.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { principalFromRow, type PrincipalDirectory } from './principals.ts';
import type { RevocationList } from './revocations.ts';
import type { IssuedTokens, TokenService } from './tokens.ts';

export interface LockoutPolicy {
  threshold: number;
  lockoutMs: number;
}

export interface ExternalLoginResult {
  tokens: IssuedTokens;
  principalId: string;
  orgId: string;
}

/** An external directory (LDAP) asked before the embedded one; undefined: not its user. */
export interface PasswordBackend {
  login(username: string, password: string): Promise<ExternalLoginResult | undefined>;
}

/** Password login with lock-out after repeated failures. */
export class PasswordAuthenticator {
  private dummyHash: Promise<string> | undefined;
  private readonly backends: PasswordBackend[] = [];

  constructor(
    private readonly directory: PrincipalDirectory,
    private readonly tokens: TokenService,
    private readonly revocations: RevocationList,
    private readonly clock: Clock,
    private readonly lockout: LockoutPolicy,
    private readonly passwordCost: number,
    private readonly maxAccessTokenMs: number,
  ) {}

  addBackend(backend: PasswordBackend): void {
    this.backends.push(backend);
  }

  async login(username: string, password: string): Promise<ExternalLoginResult> {
    for (const backend of this.backends) {
      const result = await backend.login(username, password);
      if (result) return result;
    }
    const row = await this.directory.credentialsByName(username);
    if (!row || row.password_hash === null) {
      // Spend the same time as a real check so responses do not reveal which names exist.
      this.dummyHash ??= hashPassword('not a password', this.passwordCost);
      await verifyPassword(password, await this.dummyHash);
      throw new MsecError('INVALID_CREDENTIALS', 'invalid username or password');
    }
    const now = this.clock.now();
    if (row.locked_until !== null && row.locked_until > now) {
      throw new MsecError('ACCOUNT_LOCKED', 'account is locked after repeated failed logins; try later or ask an admin', {
        details: { lockedUntil: new Date(row.locked_until).toISOString() },
      });
    }
    if (!(await verifyPassword(password, row.password_hash))) {
      const { locked } = await this.directory.recordLoginFailure(row.id, this.lockout.threshold, this.lockout.lockoutMs);
      if (locked) {
        await this.revocations.revokeSubject(row.id, this.maxAccessTokenMs);
        await this.tokens.revokeAllRefreshTokens(row.id);
      }
      throw new MsecError('INVALID_CREDENTIALS', 'invalid username or password', { details: locked ? { locked: true } : undefined });
    }
    if (row.disabled === 1) throw new MsecError('ACCOUNT_DISABLED', 'account is disabled');
    await this.directory.recordLoginSuccess(row.id);
    const principal = principalFromRow({ ...row, failed_logins: 0, locked_until: null });
    return { tokens: await this.tokens.issue(principal), principalId: principal.id, orgId: principal.orgId };
  }
}
