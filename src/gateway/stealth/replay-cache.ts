/**
 * Nonces seen within the clock window. An entry is only needed while its timestamp is inside the
 * window (older knocks are refused as stale anyway), so entries expire and the cache stays bounded;
 * when full of live entries it refuses new knocks rather than forget (fail closed).
 */
export class ReplayCache {
  private readonly entries = new Map<string, number>();
  private readonly max: number;

  constructor(max = 100_000) {
    this.max = max;
  }

  get size(): number {
    return this.entries.size;
  }

  /** 'fresh' (now remembered until `expiresMs`), 'replay', or 'full'. */
  check(key: string, expiresMs: number, nowMs: number): 'fresh' | 'replay' | 'full' {
    const seen = this.entries.get(key);
    if (seen !== undefined && seen > nowMs) return 'replay';
    if (this.entries.size >= this.max) this.purge(nowMs);
    if (this.entries.size >= this.max) return 'full';
    this.entries.set(key, expiresMs);
    return 'fresh';
  }

  private purge(nowMs: number): void {
    for (const [k, exp] of this.entries) if (exp <= nowMs) this.entries.delete(k);
  }
}
