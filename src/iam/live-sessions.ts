import { isMsecError } from '../core/index.ts';
import type { Subject } from './subject.ts';

/** How often every live session's credential is checked again (expiry, and changes the bus missed). */
export const SESSION_RECHECK_MS = 2000;

/**
 * A connection that outlives the request that authenticated it (an MQTT connection, an SSE
 * stream). `recheck` authenticates its credential again against the current state and throws
 * when it no longer holds; `end` closes the connection.
 */
export interface LiveSession {
  readonly subject: Subject;
  recheck(): Promise<Subject> | Subject;
  end(reason: string): void;
}

function sameRights(a: Subject, b: Subject): boolean {
  return (
    a.id === b.id && a.org === b.org && a.roles.length === b.roles.length && a.roles.every((r) => b.roles.includes(r))
  );
}

/**
 * Binds live sessions to their credentials: every session is checked again every `periodMs`
 * (a token or device credential that expired ends within that bound) and at once after any
 * revocation (`sweep`, called on the revocation bus event, so every process acts). A session whose
 * credential fails, or whose rights changed, is ended; the client reconnects and is authorised
 * afresh against the rights it holds now.
 */
export class LiveSessions {
  private readonly sessions = new Set<LiveSession>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly periodMs = SESSION_RECHECK_MS) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Starts watching `session`; the returned function stops (call it when the connection closes). */
  track(session: LiveSession): () => void {
    this.sessions.add(session);
    this.timer ??= setInterval(() => void this.sweep(), this.periodMs).unref();
    return () => {
      this.sessions.delete(session);
      if (this.sessions.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Checks every session now. Overlapping calls coalesce into one more pass after the running one. */
  sweep(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await Promise.all([...this.sessions].map((s) => this.check(s)));
      } while (this.again);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async check(s: LiveSession): Promise<void> {
    let reason: string | undefined;
    try {
      const now = await s.recheck();
      if (!sameRights(s.subject, now)) reason = 'rights changed';
    } catch (err) {
      reason = isMsecError(err) ? err.code : 'credential no longer valid';
    }
    if (reason === undefined || !this.sessions.has(s)) return;
    this.sessions.delete(s);
    try {
      s.end(reason);
    } catch {
      // a connection that is already gone
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sessions.clear();
  }
}
