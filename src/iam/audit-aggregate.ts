import type { Clock } from '../core/index.ts';
import type { AuditRecord } from './audit.ts';

/** How long refusals of one (source, reason) are summed before their one row is written. */
export const AGGREGATE_INTERVAL_MS = 60_000;
const MAX_KEYS = 10_000;
/** Distinct actions named in one aggregated row (a spray over many paths stays one row). */
const MAX_ACTIONS = 10;

interface Window {
  rec: AuditRecord;
  count: number;
  since: number;
  actions: Set<string>;
  distinctActions: number;
}

/**
 * Refusals of anonymous callers (unauthenticated requests, refused MQTT connections) would bury
 * the audit log under a flood: per (source address, reason) and interval they become ONE row,
 * written when the interval ends (or at flush/stop), carrying the count, the interval's start and
 * the actions refused (detail.count, detail.since, detail.until, detail.actions). The audit log is
 * append-only, so the row is written once, complete, rather than written early and updated.
 * Every authenticated action and every refusal of an authenticated principal is still appended
 * one by one, by the callers.
 */
export class AnonymousRefusals {
  private readonly open = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly append: (rec: AuditRecord) => Promise<void>,
    private readonly clock: Clock,
    private readonly intervalMs = AGGREGATE_INTERVAL_MS,
  ) {}

  async refuse(rec: AuditRecord, reason: string): Promise<void> {
    const now = this.clock.now();
    // Under a spray of addresses the table of keys stays bounded: the overflow shares one key.
    const ip = rec.ip ?? 'unknown';
    const bounded = this.open.size < MAX_KEYS || this.open.has(`${ip}\0${reason}`);
    const source = bounded ? ip : 'many';
    const key = `${source}\0${reason}`;
    // Checked often enough that a window's row lands within a sixth of an interval of its end.
    this.timer ??= setInterval(
      () => void this.flushDue(this.clock.now()).catch(() => undefined),
      Math.max(1, Math.floor(this.intervalMs / 6)),
    ).unref();
    let w = this.open.get(key);
    // This key's window ran out (the timer has not written it yet): its row first, then a new window.
    if (w && now - w.since >= this.intervalMs) {
      this.open.delete(key);
      await this.write(w, now);
      w = undefined;
    }
    if (w) {
      w.count++;
      if (!w.actions.has(rec.action)) {
        w.distinctActions++;
        if (w.actions.size < MAX_ACTIONS) w.actions.add(rec.action);
      }
      return;
    }
    this.open.set(key, {
      rec: { ...rec, ip: source, requestId: null, detail: { ...rec.detail, reason } },
      count: 1,
      since: now,
      actions: new Set([rec.action]),
      distinctActions: 1,
    });
  }

  /** Writes the rows of windows that lasted a full interval by `now`. */
  async flushDue(now = this.clock.now()): Promise<void> {
    const due = [...this.open].filter(([, w]) => now - w.since >= this.intervalMs);
    for (const [k] of due) this.open.delete(k);
    for (const [, w] of due) await this.write(w, now);
  }

  /** Closes every open window now and writes its row (at shutdown, and for readers who need it now). */
  async flush(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    const now = this.clock.now();
    for (const w of all) await this.write(w, now);
  }

  private write(w: Window, now: number): Promise<void> {
    return this.append({
      ...w.rec,
      detail: {
        ...w.rec.detail,
        count: w.count,
        since: new Date(w.since).toISOString(),
        until: new Date(Math.min(now, w.since + this.intervalMs)).toISOString(),
        actions: [...w.actions],
        distinctActions: w.distinctActions,
        aggregated: true,
      },
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
