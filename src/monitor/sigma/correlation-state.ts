/**
 * Streaming state of one correlation: groups (by the group-by values) kept in a Map whose insertion
 * order is recency (to within 1/16 of the timespan), so evicting the least recently seen group and
 * sweeping expired ones cost O(1) per group. Each group keeps only what decides the condition exactly (the last N event times for
 * a threshold N, the distinct values seen in the window), so memory is bounded by
 * maxGroups x (threshold + small constant). Floods of one-event groups (spoofed sources) are the
 * common worst case, so a group allocates nothing beyond itself until it sees a second event.
 *
 * Semantics (sliding window): the condition is checked on every arriving event over the window
 * (t - timespan, t]. When it holds the correlation fires, the group's window is consumed, and the
 * group cannot fire again until a full timespan has passed: at most one match per group per timespan.
 */
import { conditionHolds, retentionBound } from './correlation-spec.ts';
import type { SigmaCorrelation } from './types.ts';

export const MAX_EVENT_IDS = 64;

export interface Fired {
  count: number;
  eventIds: string[];
}

/** One class for every correlation type, so property access stays monomorphic. */
class Group {
  /** Order of the last (re)insertion into the groups Map, to tell a moved entry from a current one. */
  pos = 0;
  /** Event time of the last (re)insertion. */
  movedAt: number;
  lastSeen: number;
  quietUntil = -Infinity;
  /** The first event id and time inline; the arrays only from the second event on. */
  id0: string | undefined = undefined;
  idT0 = 0;
  ids: string[] | null = null;
  idTimes: number[] | null = null;
  /** event_count: times of the last `bound` events (from `head`). */
  times: number[] | null = null;
  head = 0;
  /** value_count: the first value inline, a Map (value -> last seen) once there are two. */
  v0: string | undefined = undefined;
  vt0 = 0;
  values: Map<string, number> | null = null;
  /** temporal: last time each rule matched; temporal_ordered: start time of each in-order prefix. */
  seen: number[] | null = null;

  constructor(t: number) {
    this.lastSeen = t;
    this.movedAt = t;
  }

  pushId(t: number, id: string): void {
    if (this.id0 === undefined && this.ids === null) {
      this.id0 = id;
      this.idT0 = t;
      return;
    }
    if (this.ids === null || this.idTimes === null) {
      this.ids = [this.id0 as string];
      this.idTimes = [this.idT0];
      this.id0 = undefined;
    }
    this.ids.push(id);
    this.idTimes.push(t);
    // Amortised trimming: keep the newest MAX_EVENT_IDS.
    if (this.ids.length >= 2 * MAX_EVENT_IDS) {
      this.ids.splice(0, this.ids.length - MAX_EVENT_IDS);
      this.idTimes.splice(0, this.idTimes.length - MAX_EVENT_IDS);
    }
  }

  idsSince(from: number): string[] {
    if (this.ids === null || this.idTimes === null) return this.id0 !== undefined && this.idT0 > from ? [this.id0] : [];
    const out: string[] = [];
    const start = Math.max(0, this.ids.length - MAX_EVENT_IDS);
    for (let i = start; i < this.ids.length; i++) if ((this.idTimes[i] as number) > from) out.push(this.ids[i] as string);
    return [...new Set(out)];
  }
}

export class CorrelationState {
  readonly groups = new Map<string, Group>();
  private readonly bound: number;
  private readonly reorderSlackMs: number;
  private insertions = 0;
  private cursor: Iterator<[string, Group]> | null = null;
  private head: { key: string; g: Group; pos: number } | null = null;
  capped = 0;

  constructor(
    readonly spec: SigmaCorrelation,
    private readonly maxGroups: number,
  ) {
    this.bound = retentionBound(spec.condition, spec.rules.length);
    this.reorderSlackMs = spec.timespanMs / 16;
  }

  private group(key: string, t: number): Group {
    let g = this.groups.get(key);
    if (g) {
      // Re-insert so the Map's order is recency, to within 1/16 of the timespan: moving a busy
      // group on every event would cost a Map delete and set each time.
      if (t - g.movedAt > this.reorderSlackMs) {
        this.groups.delete(key);
        g.pos = ++this.insertions;
        g.movedAt = t;
        this.groups.set(key, g);
      }
      return g;
    }
    while (this.groups.size >= this.maxGroups) {
      const oldest = this.peekOldest();
      if (!oldest) break;
      this.groups.delete(oldest.key);
      this.head = null;
      this.capped++;
    }
    g = new Group(t);
    g.pos = ++this.insertions;
    this.groups.set(key, g);
    return g;
  }

  /**
   * The least recently seen group. A Map used as a queue keeps the holes of deleted entries at its
   * front until it rehashes, so a fresh iterator per eviction would walk them all every time; one
   * long-lived cursor walks each hole once. Entries moved since the cursor passed them are
   * recognised by `pos` and met again at their new place.
   */
  private peekOldest(): { key: string; g: Group; pos: number } | undefined {
    for (let restarts = 0; restarts < 2; ) {
      const h = this.head;
      if (h) {
        if (h.g.pos === h.pos && this.groups.get(h.key) === h.g) return h;
        this.head = null;
      }
      this.cursor ??= this.groups.entries();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = null;
        restarts++;
        continue;
      }
      const [key, g] = next.value;
      this.head = { key, g, pos: g.pos };
    }
    return undefined;
  }

  /**
   * Drop groups idle for longer than the timespan, oldest first, stopping at the first live one (a
   * group out of order by the reorder slack only waits for a later sweep).
   */
  sweep(now: number): void {
    const horizon = now - this.spec.timespanMs;
    for (let h = this.peekOldest(); h && h.g.lastSeen <= horizon && h.g.quietUntil <= now; h = this.peekOldest()) {
      this.groups.delete(h.key);
      this.head = null;
    }
  }

  /**
   * One event matched by the inputs `inputs` (indices into spec.rules, several when it matched more
   * than one referenced rule). `value` is the value_count key, if any.
   */
  add(key: string, inputs: readonly number[], time: number, ids: readonly string[], value: string | undefined): Fired | undefined {
    const g = this.group(key, time);
    const t = time > g.lastSeen ? time : g.lastSeen; // tolerate slightly out-of-order events
    g.lastSeen = t;
    const from = t - this.spec.timespanMs;
    for (const id of ids) g.pushId(t, id);
    let count: number;
    switch (this.spec.type) {
      case 'event_count': count = this.addCount(g, t, from); break;
      case 'value_count': count = this.addValue(g, t, from, value as string); break;
      case 'temporal': count = this.addTemporal(g, inputs, t, from); break;
      default: count = this.addOrdered(g, inputs, t, from);
    }
    if (t < g.quietUntil) return undefined;
    if (!conditionHolds(this.spec.condition, count, this.spec.rules.length)) return undefined;
    const fired = { count, eventIds: g.idsSince(from) };
    this.reset(g, t);
    return fired;
  }

  private addCount(g: Group, t: number, from: number): number {
    if (g.times === null) g.times = [];
    const times = g.times;
    times.push(t);
    while (g.head < times.length && ((times[g.head] as number) <= from || times.length - g.head > this.bound)) g.head++;
    if (g.head > 1024 && g.head * 2 > times.length) {
      times.splice(0, g.head);
      g.head = 0;
    }
    return times.length - g.head;
  }

  private addValue(g: Group, t: number, from: number, value: string): number {
    if (g.values === null) {
      if (g.v0 === undefined || g.v0 === value || g.vt0 <= from) {
        g.v0 = value;
        g.vt0 = t;
        return 1;
      }
      g.values = new Map([[g.v0, g.vt0]]);
      g.v0 = undefined;
    }
    const values = g.values;
    values.delete(value);
    values.set(value, t);
    for (const [v, seen] of values) {
      if (seen > from && values.size <= this.bound) break;
      values.delete(v);
    }
    return values.size;
  }

  private addTemporal(g: Group, inputs: readonly number[], t: number, from: number): number {
    const seen = (g.seen ??= new Array<number>(this.spec.rules.length).fill(Number.NaN));
    for (const i of inputs) seen[i] = t;
    let n = 0;
    for (const s of seen) if (s > from) n++;
    return n;
  }

  /** Greedy with the latest start: step j extends the in-order prefix ending at step j-1. */
  private addOrdered(g: Group, inputs: readonly number[], t: number, from: number): number {
    const steps = (g.seen ??= new Array<number>(this.spec.rules.length).fill(Number.NaN));
    for (let j = 0; j < steps.length; j++) if ((steps[j] as number) <= from) steps[j] = Number.NaN;
    // Highest index first, so one event never completes two consecutive steps by itself.
    const order = inputs.length === 1 ? inputs : [...inputs].sort((a, b) => b - a);
    for (const j of order) {
      if (j === 0) steps[0] = t;
      else if (!Number.isNaN(steps[j - 1] as number)) {
        const start = steps[j - 1] as number;
        if (Number.isNaN(steps[j] as number) || start > (steps[j] as number)) steps[j] = start;
      }
    }
    // The longest in-order prefix still inside the window.
    for (let j = steps.length - 1; j >= 0; j--) if (!Number.isNaN(steps[j] as number)) return j + 1;
    return 0;
  }

  private reset(g: Group, t: number): void {
    g.quietUntil = t + this.spec.timespanMs;
    g.id0 = undefined;
    g.ids = null;
    g.idTimes = null;
    g.times = null;
    g.head = 0;
    g.v0 = undefined;
    g.values = null;
    g.seen?.fill(Number.NaN);
  }
}
