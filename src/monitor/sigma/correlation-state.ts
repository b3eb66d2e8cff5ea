/**
 * Streaming state of one correlation: groups (by the group-by values) kept in a Map whose insertion
 * order is recency, so evicting the least recently seen group and sweeping expired ones are O(1)
 * per group. Each group keeps only what decides the condition exactly (the last N event times for
 * a threshold N, the distinct values seen in the window), so memory is bounded by
 * maxGroups x (threshold + small constant).
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

interface GroupBase {
  lastSeen: number;
  quietUntil: number;
  idTimes: number[];
  ids: string[];
}

interface CountGroup extends GroupBase { times: number[]; head: number }
interface ValueGroup extends GroupBase { values: Map<string, number> }
interface TemporalGroup extends GroupBase { seen: number[] }

type Group = CountGroup | ValueGroup | TemporalGroup;

function pushId(g: GroupBase, t: number, ids: readonly string[]): void {
  for (const id of ids) {
    g.idTimes.push(t);
    g.ids.push(id);
  }
  const over = g.ids.length - MAX_EVENT_IDS;
  if (over > 0) {
    g.idTimes.splice(0, over);
    g.ids.splice(0, over);
  }
}

function idsInWindow(g: GroupBase, from: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < g.ids.length; i++) if ((g.idTimes[i] as number) > from) out.push(g.ids[i] as string);
  return [...new Set(out)];
}

export class CorrelationState {
  readonly groups = new Map<string, Group>();
  private readonly bound: number;
  capped = 0;

  constructor(
    readonly spec: SigmaCorrelation,
    private readonly maxGroups: number,
  ) {
    this.bound = retentionBound(spec.condition, spec.rules.length);
  }

  private group(key: string, t: number): Group {
    let g = this.groups.get(key);
    if (g) {
      this.groups.delete(key); // re-insert: the Map's order is recency
    } else {
      const base: GroupBase = { lastSeen: t, quietUntil: -Infinity, idTimes: [], ids: [] };
      const n = this.spec.rules.length;
      if (this.spec.type === 'event_count') g = { ...base, times: [], head: 0 };
      else if (this.spec.type === 'value_count') g = { ...base, values: new Map() };
      else g = { ...base, seen: new Array<number>(n).fill(Number.NaN) };
      while (this.groups.size >= this.maxGroups) {
        const oldest = this.groups.keys().next().value as string;
        this.groups.delete(oldest);
        this.capped++;
      }
    }
    this.groups.set(key, g);
    return g;
  }

  /** Drop groups idle for longer than the timespan (oldest first, stop at the first live one). */
  sweep(now: number): void {
    const horizon = now - this.spec.timespanMs;
    for (const [key, g] of this.groups) {
      if (g.lastSeen > horizon || g.quietUntil > now) break;
      this.groups.delete(key);
    }
  }

  /**
   * One event matched by the inputs `inputs` (indices into spec.rules, several when it matched more
   * than one referenced rule). `value` is the value_count key, if any.
   */
  add(key: string, inputs: readonly number[], time: number, ids: readonly string[], value: string | undefined): Fired | undefined {
    const g = this.group(key, time);
    const t = Math.max(time, g.lastSeen); // tolerate slightly out-of-order events
    g.lastSeen = t;
    const from = t - this.spec.timespanMs;
    pushId(g, t, ids);
    let count: number;
    if ('times' in g) count = this.addCount(g, t, from);
    else if ('values' in g) {
      if (value === undefined) return undefined;
      count = this.addValue(g, t, from, value);
    } else count = this.spec.type === 'temporal' ? this.addTemporal(g, inputs, t, from) : this.addOrdered(g, inputs, t, from);
    if (t < g.quietUntil) return undefined;
    if (!conditionHolds(this.spec.condition, count, this.spec.rules.length)) return undefined;
    const fired = { count, eventIds: idsInWindow(g, from) };
    this.reset(g, t);
    return fired;
  }

  private addCount(g: CountGroup, t: number, from: number): number {
    g.times.push(t);
    while (g.head < g.times.length && ((g.times[g.head] as number) <= from || g.times.length - g.head > this.bound)) g.head++;
    if (g.head > 1024 && g.head * 2 > g.times.length) {
      g.times.splice(0, g.head);
      g.head = 0;
    }
    return g.times.length - g.head;
  }

  private addValue(g: ValueGroup, t: number, from: number, value: string): number {
    g.values.delete(value);
    g.values.set(value, t);
    for (const [v, seen] of g.values) {
      if (seen > from && g.values.size <= this.bound) break;
      g.values.delete(v);
    }
    return g.values.size;
  }

  private addTemporal(g: TemporalGroup, inputs: readonly number[], t: number, from: number): number {
    for (const i of inputs) g.seen[i] = t;
    let n = 0;
    for (const s of g.seen) if (s > from) n++;
    return n;
  }

  /** Greedy with the latest start: step j extends the in-order prefix ending at step j-1. */
  private addOrdered(g: TemporalGroup, inputs: readonly number[], t: number, from: number): number {
    const steps = g.seen;
    for (let j = 0; j < steps.length; j++) if ((steps[j] as number) <= from) steps[j] = Number.NaN;
    // Highest index first, so one event never completes two consecutive steps by itself.
    for (const j of [...inputs].sort((a, b) => b - a)) {
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
    g.idTimes = [];
    g.ids = [];
    if ('times' in g) {
      g.times = [];
      g.head = 0;
    } else if ('values' in g) g.values.clear();
    else g.seen.fill(Number.NaN);
  }
}
