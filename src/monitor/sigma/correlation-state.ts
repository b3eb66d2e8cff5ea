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

/** What a group needs from its second event on (most flood groups never get one). */
class GroupExt {
  ids: string[] = [];
  idTimes: number[] = [];
  /** event_count: times of the last `bound` events (from `head`). */
  times: number[] | null = null;
  head = 0;
  /** value_count: value -> last seen, once there are two distinct values. */
  values: Map<string, number> | null = null;
  /** temporal: last time each rule matched; temporal_ordered: start time of each in-order prefix. */
  seen: number[] | null = null;
}

/**
 * One class for every correlation type, so property access stays monomorphic. A group with a
 * single event keeps it inline (its id, its value; its time is `lastSeen`).
 */
class Group {
  /** Order of the last (re)insertion into the groups Map, to tell a moved entry from a current one. */
  pos = 0;
  /** Event time of the last (re)insertion. */
  movedAt: number;
  lastSeen: number;
  quietUntil = -Infinity;
  id0: string | undefined = undefined;
  v0: string | undefined = undefined;
  ext: GroupExt | null = null;

  constructor(t: number) {
    this.lastSeen = t;
    this.movedAt = t;
  }

  /** The group as new, for another key at time `t`. */
  renew(t: number): this {
    this.lastSeen = t;
    this.movedAt = t;
    this.quietUntil = -Infinity;
    this.id0 = undefined;
    this.v0 = undefined;
    this.ext = null;
    return this;
  }

  more(): GroupExt {
    return (this.ext ??= new GroupExt());
  }

  /** `prev` is the group's time before this event: the time of an inline id0. */
  pushId(t: number, prev: number, id: string): void {
    if (this.id0 === undefined && this.ext === null) {
      this.id0 = id;
      return;
    }
    const ext = this.more();
    if (this.id0 !== undefined) {
      ext.ids.push(this.id0);
      ext.idTimes.push(prev);
      this.id0 = undefined;
    }
    ext.ids.push(id);
    ext.idTimes.push(t);
    // Amortised trimming: keep the newest MAX_EVENT_IDS.
    if (ext.ids.length >= 2 * MAX_EVENT_IDS) {
      ext.ids.splice(0, ext.ids.length - MAX_EVENT_IDS);
      ext.idTimes.splice(0, ext.idTimes.length - MAX_EVENT_IDS);
    }
  }

  idsSince(from: number): string[] {
    const ext = this.ext;
    if (ext === null || ext.ids.length === 0) return this.id0 !== undefined && this.lastSeen > from ? [this.id0] : [];
    const out: string[] = [];
    const start = Math.max(0, ext.ids.length - MAX_EVENT_IDS);
    for (let i = start; i < ext.ids.length; i++) if ((ext.idTimes[i] as number) > from) out.push(ext.ids[i] as string);
    return [...new Set(out)];
  }
}

export class CorrelationState {
  readonly groups = new Map<string, Group>();
  private readonly bound: number;
  private readonly reorderSlackMs: number;
  private insertions = 0;
  private cursor: Iterator<string> | null = null;
  /** The oldest group found by the cursor, its key and its `pos` when found. */
  private headGroup: Group | null = null;
  private headKey = '';
  private headPos = 0;
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
    // At the cap the least recently seen group goes, and its object is reused for the new one: a
    // flood of one-event groups (spoofed sources) would otherwise allocate a group per event.
    let evicted: Group | null = null;
    while (this.groups.size >= this.maxGroups) {
      evicted = this.peekOldest() ?? null;
      if (!evicted) break;
      this.groups.delete(this.headKey);
      this.headGroup = null;
      this.capped++;
    }
    g = evicted ? evicted.renew(t) : new Group(t);
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
  private peekOldest(): Group | undefined {
    for (let restarts = 0; restarts < 2;) {
      const h = this.headGroup;
      if (h) {
        if (h.pos === this.headPos && this.groups.get(this.headKey) === h) return h;
        this.headGroup = null;
      }
      this.cursor ??= this.groups.keys();
      const next = this.cursor.next();
      if (next.done) {
        this.cursor = null;
        restarts++;
        continue;
      }
      this.headKey = next.value;
      this.headGroup = this.groups.get(next.value) ?? null;
      this.headPos = this.headGroup?.pos ?? 0;
    }
    return undefined;
  }

  /**
   * Drop groups idle for longer than the timespan, oldest first, stopping at the first live one (a
   * group out of order by the reorder slack only waits for a later sweep).
   */
  sweep(now: number): void {
    const horizon = now - this.spec.timespanMs;
    for (let g = this.peekOldest(); g && g.lastSeen <= horizon && g.quietUntil <= now; g = this.peekOldest()) {
      this.groups.delete(this.headKey);
      this.headGroup = null;
    }
  }

  /**
   * One event matched by the inputs `inputs` (indices into spec.rules, several when it matched more
   * than one referenced rule). `value` is the value_count key, if any.
   */
  add(
    key: string,
    inputs: readonly number[],
    time: number,
    ids: readonly string[],
    value: string | undefined,
  ): Fired | undefined {
    const g = this.group(key, time);
    const prev = g.lastSeen;
    const t = time > prev ? time : prev; // tolerate slightly out-of-order events
    g.lastSeen = t;
    const from = t - this.spec.timespanMs;
    for (const id of ids) g.pushId(t, prev, id);
    let count: number;
    switch (this.spec.type) {
      case 'event_count':
        count = this.addCount(g, t, from);
        break;
      case 'value_count':
        count = this.addValue(g, t, prev, from, value as string);
        break;
      case 'temporal':
        count = this.addTemporal(g, inputs, t, from);
        break;
      default:
        count = this.addOrdered(g, inputs, t, from);
    }
    if (t < g.quietUntil) return undefined;
    if (!conditionHolds(this.spec.condition, count, this.spec.rules.length)) return undefined;
    const fired = { count, eventIds: g.idsSince(from) };
    this.reset(g, t);
    return fired;
  }

  private addCount(g: Group, t: number, from: number): number {
    const ext = g.more();
    const times = (ext.times ??= []);
    times.push(t);
    while (ext.head < times.length && ((times[ext.head] as number) <= from || times.length - ext.head > this.bound))
      ext.head++;
    if (ext.head > 1024 && ext.head * 2 > times.length) {
      times.splice(0, ext.head);
      ext.head = 0;
    }
    return times.length - ext.head;
  }

  /** `prev` is the group's time before this event, which is the time of an inline v0. */
  private addValue(g: Group, t: number, prev: number, from: number, value: string): number {
    let values = g.ext?.values ?? null;
    if (values === null) {
      if (g.v0 === undefined || g.v0 === value || prev <= from) {
        g.v0 = value;
        return 1;
      }
      values = g.more().values = new Map([[g.v0, prev]]);
      g.v0 = undefined;
    }
    values.delete(value);
    values.set(value, t);
    for (const [v, seen] of values) {
      if (seen > from && values.size <= this.bound) break;
      values.delete(v);
    }
    return values.size;
  }

  private addTemporal(g: Group, inputs: readonly number[], t: number, from: number): number {
    const seen = (g.more().seen ??= new Array<number>(this.spec.rules.length).fill(Number.NaN));
    for (const i of inputs) seen[i] = t;
    let n = 0;
    for (const s of seen) if (s > from) n++;
    return n;
  }

  /** Greedy with the latest start: step j extends the in-order prefix ending at step j-1. */
  private addOrdered(g: Group, inputs: readonly number[], t: number, from: number): number {
    const steps = (g.more().seen ??= new Array<number>(this.spec.rules.length).fill(Number.NaN));
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
    g.v0 = undefined;
    const seen = g.ext?.seen ?? null;
    g.ext = null;
    if (seen) g.more().seen = seen.fill(Number.NaN);
  }
}
