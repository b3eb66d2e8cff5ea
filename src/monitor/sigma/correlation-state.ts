/**
 * Streaming state of one correlation: groups (by the group-by values) kept in a Map for look-up and
 * on a doubly linked list in order of last use, so evicting the least recently seen group and
 * sweeping expired ones cost O(1) per group and no Map look-up beyond the one that finds a group
 * (the list replaced the Map's own insertion order, which needed a delete and a set to move a group
 * and a look-up per group walked). Each group keeps only what decides the condition exactly (the last N event times for
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
  /** Neighbours in order of last use: `older` towards the head (evicted first). */
  older: Group | null = null;
  newer: Group | null = null;
  lastSeen: number;
  quietUntil = -Infinity;
  id0: string | undefined = undefined;
  v0: string | undefined = undefined;
  ext: GroupExt | null = null;

  constructor(
    public key: string,
    t: number,
  ) {
    this.lastSeen = t;
  }

  /** The group as new, for another key at time `t`. */
  renew(key: string, t: number): this {
    this.key = key;
    this.lastSeen = t;
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
  /** Least and most recently seen groups: the ends of the list of last use. */
  private oldest: Group | null = null;
  private newest: Group | null = null;
  capped = 0;

  constructor(
    readonly spec: SigmaCorrelation,
    private readonly maxGroups: number,
  ) {
    this.bound = retentionBound(spec.condition, spec.rules.length);
  }

  private unlink(g: Group): void {
    if (g.older) g.older.newer = g.newer;
    else this.oldest = g.newer;
    if (g.newer) g.newer.older = g.older;
    else this.newest = g.older;
    g.older = null;
    g.newer = null;
  }

  private append(g: Group): void {
    g.older = this.newest;
    if (this.newest) this.newest.newer = g;
    else this.oldest = g;
    this.newest = g;
  }

  private group(key: string, t: number): Group {
    let g = this.groups.get(key);
    if (g) {
      if (g !== this.newest) {
        this.unlink(g);
        this.append(g);
      }
      return g;
    }
    // At the cap the least recently seen group goes, and its object is reused for the new one: a
    // flood of one-event groups (spoofed sources) would otherwise allocate a group per event.
    let evicted: Group | null = null;
    while (this.groups.size >= this.maxGroups && this.oldest) {
      evicted = this.oldest;
      this.unlink(evicted);
      this.groups.delete(evicted.key);
      this.capped++;
    }
    g = evicted ? evicted.renew(key, t) : new Group(key, t);
    this.groups.set(key, g);
    this.append(g);
    return g;
  }

  /**
   * Drop groups idle for longer than the timespan, oldest first, stopping at the first live one (a
   * group whose late event was older than a newer group's only waits for a later sweep).
   */
  sweep(now: number): void {
    const horizon = now - this.spec.timespanMs;
    for (let g = this.oldest; g && g.lastSeen <= horizon && g.quietUntil <= now; g = this.oldest) {
      this.unlink(g);
      this.groups.delete(g.key);
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
