/**
 * A global budget for anonymous requests (no valid credential): per source address and in total,
 * per minute (fixed windows). Authenticated callers are limited by their own routes' limits; this
 * keeps a flood of unauthenticated requests from any number of addresses from taking the API
 * (and the audit log) down.
 */
export class AnonymousLimit {
  private window = 0;
  private total = 0;
  private readonly perSource = new Map<string, number>();

  constructor(
    private readonly limits: { perSourcePerMinute: number; totalPerMinute: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether one more anonymous request from `source` may proceed now. */
  take(source: string): boolean {
    const w = Math.floor(this.now() / 60_000);
    if (w !== this.window) {
      this.window = w;
      this.total = 0;
      this.perSource.clear();
    }
    const n = (this.perSource.get(source) ?? 0) + 1;
    if (n > this.limits.perSourcePerMinute || this.total + 1 > this.limits.totalPerMinute) return false;
    if (this.perSource.size < 100_000 || this.perSource.has(source)) this.perSource.set(source, n);
    this.total++;
    return true;
  }
}

export const ANONYMOUS_LIMITS = { perSourcePerMinute: 600, totalPerMinute: 6000 };
