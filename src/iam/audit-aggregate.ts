import type { Clock } from '../core/index.ts';
import type { AuditRecord } from './audit.ts';

/** How long refusals of one (source, action, reason) are summed before their count is written. */
export const AGGREGATE_INTERVAL_MS = 60_000;
const MAX_KEYS = 10_000;

interface Pending {
  rec: AuditRecord;
  count: number;
  since: number;
}

/**
 * Refusals of anonymous callers (unauthenticated requests, refused MQTT connections) would bury
 * the audit log under a flood: per (source address, action, reason) and interval, the first is
 * written at once (a single probe is visible immediately) and the rest as one row with their
 * count when the interval ends (detail.count, detail.since). Every authenticated action and every
 * refusal of an authenticated principal is still appended one by one, by the callers.
 */
export class AnonymousRefusals {
  private readonly pending = new Map<string, Pending>();
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly append: (rec: AuditRecord) => Promise<void>,
    private readonly clock: Clock,
    private readonly intervalMs = AGGREGATE_INTERVAL_MS,
  ) {}

  async refuse(rec: AuditRecord, reason: string): Promise<void> {
    const now = this.clock.now();
    // Under a spray of addresses the table of keys stays bounded: the overflow shares one key.
    const source = this.seen.size < MAX_KEYS || this.seen.has(`${rec.ip}`) ? (rec.ip ?? 'unknown') : 'many';
    const key = `${source}\0${rec.action}\0${reason}`;
    this.timer ??= setInterval(() => void this.flush().catch(() => undefined), this.intervalMs).unref();
    const first = this.seen.get(key);
    if (first === undefined || now - first >= this.intervalMs) {
      this.seen.set(key, now);
      await this.append(rec);
      return;
    }
    const p = this.pending.get(key);
    if (p) p.count++;
    else this.pending.set(key, { rec: { ...rec, ip: source, requestId: null }, count: 1, since: now });
  }

  /** Writes the summed rows (every interval, and at shutdown). */
  async flush(): Promise<void> {
    const rows = [...this.pending.values()];
    this.pending.clear();
    const now = this.clock.now();
    for (const [k, at] of this.seen) if (now - at >= this.intervalMs) this.seen.delete(k);
    for (const p of rows)
      await this.append({
        ...p.rec,
        detail: { ...p.rec.detail, count: p.count, since: new Date(p.since).toISOString(), aggregated: true },
      });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
