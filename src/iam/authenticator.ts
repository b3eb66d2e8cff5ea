import { MsecError } from '../core/index.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { principalFromRow, type PrincipalDirectory } from './principals.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { IssuedTokens, TokenService } from './tokens.ts';

export interface ExternalLoginResult {
  tokens: IssuedTokens;
  principalId: string;
  orgId: string;
}

/** An external directory (LDAP) asked before the embedded one; undefined: not its user. */
export interface PasswordBackend {
  login(username: string, password: string): Promise<ExternalLoginResult | undefined>;
}

/**
 * Password login. Failures are throttled per (name, source address) with growing delays, never
 * by locking the account for everyone: an attacker cannot lock out its owner. Existing and
 * unknown names get the same answers, the same throttling and the same work (a password check).
 */
export class PasswordAuthenticator {
  private dummyHash: Promise<string> | undefined;
  private readonly backends: PasswordBackend[] = [];

  constructor(
    private readonly directory: PrincipalDirectory,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly passwordCost: number,
  ) {}

  addBackend(backend: PasswordBackend): void {
    this.backends.push(backend);
  }

  async login(username: string, password: string, source = 'unknown'): Promise<ExternalLoginResult> {
    const wait = await this.throttle.waitMs(username, source);
    if (wait > 0) {
      throw new MsecError(
        'LOGIN_THROTTLED',
        'too many failed logins for this name from your address; try again later',
        {
          status: 429,
          details: { retryAfterSeconds: Math.ceil(wait / 1000) },
        },
      );
    }
    // External directories first; their refusals are throttled like the embedded directory's.
    for (const backend of this.backends) {
      let result: ExternalLoginResult | undefined;
      try {
        result = await backend.login(username, password);
      } catch (err) {
        if ((err as { code?: string }).code === 'INVALID_CREDENTIALS') await this.throttle.failure(username, source);
        throw err;
      }
      if (result) {
        await this.throttle.success(username, source);
        return result;
      }
    }
    const row = await this.directory.credentialsByName(username);
    let ok: boolean;
    if (!row || row.password_hash === null) {
      // Spend the same time as a real check so responses do not reveal which names exist.
      this.dummyHash ??= hashPassword('not a password', this.passwordCost);
      await verifyPassword(password, await this.dummyHash);
      ok = false;
    } else {
      ok = await verifyPassword(password, row.password_hash);
    }
    if (!ok || !row) {
      await this.throttle.failure(username, source);
      throw new MsecError('INVALID_CREDENTIALS', 'invalid username or password');
    }
    await this.throttle.success(username, source);
    if (row.disabled === 1) throw new MsecError('ACCOUNT_DISABLED', 'account is disabled');
    await this.directory.recordLoginSuccess(row.id);
    const principal = principalFromRow({ ...row, failed_logins: 0, locked_until: null });
    return { tokens: await this.tokens.issue(principal), principalId: principal.id, orgId: principal.orgId };
  }
}
