import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../../iam/index.ts';

export const SESSION_COOKIE = 'msec_console';
export const CSRF_HEADER = 'x-csrf-token';

/** What the server keeps for one browser: the platform's own tokens never leave this map. */
export interface ConsoleSession {
  id: string;
  csrf: string;
  accessToken: string;
  refreshToken: string;
  /** Epoch ms after which the access token must be refreshed before use. */
  accessExpiresAt: number;
  /** Epoch ms of the last request; idle sessions expire. */
  lastSeen: number;
  /**
   * Roles granted at sign-in by the external provider's claims (OIDC): its principals hold no
   * roles of their own, so a refresh keeps these rather than the directory's empty list.
   */
  roles?: Role[];
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/**
 * Console sessions in memory, keyed by a random cookie value. Bounded: the oldest idle session is
 * dropped when full, so a flood of logins cannot exhaust memory. A restart logs browsers out,
 * which is the safe direction (their refresh tokens stay revocable in IAM).
 */
export class ConsoleSessions {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly now: () => number,
    private readonly idleMs = 8 * 3_600_000,
    private readonly max = 10_000,
  ) {}

  create(tokens: SessionTokens, roles?: Role[]): ConsoleSession {
    while (this.sessions.size >= this.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const s: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      lastSeen: this.now(),
      ...this.expiry(tokens),
      ...(roles ? { roles: [...roles] } : {}),
    };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session for a cookie value, touched; undefined when unknown or idle too long. */
  get(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (this.now() - s.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    // Re-insert so Map order stays least-recently-used first (eviction takes the head).
    this.sessions.delete(id);
    s.lastSeen = this.now();
    this.sessions.set(id, s);
    return s;
  }

  replaceTokens(s: ConsoleSession, tokens: SessionTokens): void {
    Object.assign(s, this.expiry(tokens));
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Constant-time comparison of the CSRF header with the session's token. */
  static csrfMatches(s: ConsoleSession, given: unknown): boolean {
    if (typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(s.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private expiry(t: SessionTokens): Pick<ConsoleSession, 'accessToken' | 'refreshToken' | 'accessExpiresAt'> {
    // Refresh 30 s early (or half-way for very short tokens) so a request never carries a dying token.
    const margin = Math.min(30_000, (t.expiresIn * 1000) / 2);
    return {
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      accessExpiresAt: this.now() + t.expiresIn * 1000 - margin,
    };
  }
}

/** The value of one cookie in a Cookie header (RFC 6265 syntax; no library needed for one name). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
