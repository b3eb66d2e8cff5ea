/** What changed in one organisation since the last flush. */
export interface FeedOrgChange {
  org: string;
  /** Alerts created, grown or triaged (newest change last), at most MAX_IDS_PER_ORG. */
  alertIds: string[];
  /** More alerts changed than listed: a client should reload rather than patch. */
  truncated: boolean;
  /** Events stored. */
  events: number;
}
export type FeedListener = (changes: FeedOrgChange[]) => void;

const MAX_IDS_PER_ORG = 200;

/**
 * The monitor's change feed for live views (the console's server-sent events): changes are
 * coalesced per organisation and flushed at most every `flushMs`, so a burst of ingest becomes one
 * message per stream, not one per event. In-process: each msec process feeds its own streams.
 */
export class AlertFeed {
  private readonly listeners = new Set<FeedListener>();
  private pending = new Map<string, { ids: Set<string>; truncated: boolean; events: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly flushMs = 250) {}

  on(fn: FeedListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  alertsChanged(org: string, ids: Iterable<string>): void {
    const p = this.entry(org);
    for (const id of ids) {
      p.ids.delete(id); // re-added last: the list stays in change order
      if (p.ids.size >= MAX_IDS_PER_ORG) p.truncated = true;
      else p.ids.add(id);
    }
    this.schedule();
  }

  eventsStored(org: string, n: number): void {
    if (n <= 0) return;
    this.entry(org).events += n;
    this.schedule();
  }

  /** Delivers what is pending now (also called by the timer). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const changes = [...this.pending].map(([org, p]) => ({
      org,
      alertIds: [...p.ids],
      truncated: p.truncated,
      events: p.events,
    }));
    this.pending = new Map();
    for (const fn of this.listeners) fn(changes);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private entry(org: string) {
    let p = this.pending.get(org);
    if (!p) this.pending.set(org, (p = { ids: new Set(), truncated: false, events: 0 }));
    return p;
  }

  private schedule(): void {
    if (this.listeners.size === 0) {
      this.pending.clear(); // nobody watches: keep nothing
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
    this.timer.unref?.();
  }
}
