/**
 * The streaming Sigma engine: rules indexed by logsource (an event only meets the rules that can
 * match it), compiled tests, and correlation windows fed by the rules' matches.
 */
import { scalarText, type FieldGetter } from './fields.ts';
import { buildRuleSet, type CompiledCorrelation, type CompiledDetection, type Feed, type RuleSet } from './rule-set.ts';
import type {
  SigmaEngine,
  SigmaEngineOptions,
  SigmaEngineStats,
  SigmaEvent,
  SigmaLogsource,
  SigmaMatch,
  SigmaRule,
} from './types.ts';

export const DEFAULT_MAX_GROUPS_PER_CORRELATION = 10_000;
/** Distinct logsources are few in practice; a flood of odd ones only costs a cache reset. */
const MAX_LOGSOURCE_CACHE = 4096;
const SWEEP_EVERY_MS = 10_000;
const NO_MATCHES: readonly SigmaMatch[] = Object.freeze([]);

function ruleInfo(rule: SigmaRule): SigmaMatch['rule'] {
  const info: SigmaMatch['rule'] = { id: rule.id, title: rule.title, level: rule.level, tags: rule.tags };
  if (rule.description !== undefined) info.description = rule.description;
  if (rule.falsepositives !== undefined) info.falsepositives = rule.falsepositives;
  return info;
}

function lc(v: string | undefined): string | undefined {
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}

function logsourceMatches(
  rule: SigmaLogsource,
  ev: { product?: string | undefined; service?: string | undefined; category?: string | undefined },
): boolean {
  for (const k of ['product', 'service', 'category'] as const) {
    const want = rule[k];
    if (want !== undefined && want.toLowerCase() !== ev[k]) return false;
  }
  return true;
}

/** Text of a group-by or counted value; arrays and objects by their JSON. */
function keyText(v: unknown): string | undefined {
  const t = scalarText(v);
  if (t !== undefined) return t;
  if (v === null || typeof v !== 'object') return undefined;
  return JSON.stringify(v);
}

class Engine implements SigmaEngine {
  private set: RuleSet = { detections: [], correlations: [] };
  private byLogsource = new Map<string, Map<string, Map<string, CompiledDetection[]>>>();
  private cachedLogsources = 0;
  private cappedBefore = 0;
  private nextSweep = -Infinity;
  private latest = 0;
  private readonly out: SigmaMatch[] = [];
  private readonly fed: Feed[] = [];
  private readonly oneId: string[] = [''];

  constructor(private readonly maxGroups: number) {}

  load(rules: SigmaRule[]): void {
    const next = buildRuleSet(rules, this.set.correlations, this.maxGroups);
    const kept = new Set(next.correlations.map((c) => c.state));
    for (const c of this.set.correlations) if (!kept.has(c.state)) this.cappedBefore += c.state.capped;
    this.set = next;
    this.byLogsource = new Map();
    this.cachedLogsources = 0;
  }

  /**
   * The detection rules whose logsource fits. Looked up by the event's logsource strings as given
   * (three nested Maps, no allocation on a hit); lower-cased and filtered only on a miss.
   */
  private candidates(ls: SigmaLogsource): CompiledDetection[] {
    const p = typeof ls.product === 'string' ? ls.product : '';
    const s = typeof ls.service === 'string' ? ls.service : '';
    const c = typeof ls.category === 'string' ? ls.category : '';
    let byService = this.byLogsource.get(p);
    let byCategory = byService?.get(s);
    let list = byCategory?.get(c);
    if (list) return list;
    const ev = { product: lc(ls.product), service: lc(ls.service), category: lc(ls.category) };
    list = this.set.detections.filter((d) => logsourceMatches(d.rule.logsource, ev));
    if (++this.cachedLogsources > MAX_LOGSOURCE_CACHE) {
      this.byLogsource.clear();
      this.cachedLogsources = 1;
      byService = undefined;
    }
    if (!byService) this.byLogsource.set(p, (byService = new Map()));
    byCategory = byService.get(s);
    if (!byCategory) byService.set(s, (byCategory = new Map()));
    byCategory.set(c, list);
    return list;
  }

  evaluate(ev: SigmaEvent): readonly SigmaMatch[] {
    // Lists reused from event to event: most events match nothing, and the few that do get a copy.
    const out = this.out;
    const fed = this.fed;
    // Setting a length is a store even when it is already 0, and most events left both empty.
    if (out.length !== 0) out.length = 0;
    if (fed.length !== 0) fed.length = 0;
    const fields = ev.fields !== null && typeof ev.fields === 'object' ? ev.fields : {};
    // Event time drives the windows and the sweep of idle groups; the normaliser clamps timestamps
    // far in the future or past before they get here (one far-future event would age every group).
    const time = Number.isFinite(ev.timeMs) ? ev.timeMs : this.latest;
    if (time > this.latest) this.latest = time;
    for (const d of this.candidates(ev.logsource ?? {})) {
      if (!d.test(fields)) continue;
      if (d.emit) out.push({ rule: ruleInfo(d.rule), kind: 'detection', eventIds: [ev.id] });
      for (const f of d.feeds) fed.push(f);
    }
    if (fed.length > 0) {
      // The event's id as a one-element list: the correlation state copies ids, it keeps no list.
      const ids = this.oneId;
      ids[0] = ev.id;
      for (let i = 0; i < fed.length; i++) {
        const f = fed[i] as Feed;
        let seenBefore = false;
        for (let k = 0; k < i; k++) if ((fed[k] as Feed).corr === f.corr) seenBefore = true;
        if (seenBefore) continue;
        // Most events feed each correlation through one input: reuse that input's one-element
        // list, and build a list only when an event matched several inputs of one correlation.
        let inputs = f.inputs;
        for (let j = i + 1; j < fed.length; j++)
          if ((fed[j] as Feed).corr === f.corr) inputs = [...inputs, (fed[j] as Feed).input];
        this.feed(f.corr, inputs, time, fields, ids, out, 0);
      }
    }
    if (this.latest >= this.nextSweep) {
      for (const c of this.set.correlations) c.state.sweep(this.latest);
      this.nextSweep = this.latest + SWEEP_EVERY_MS;
    }
    return out.length === 0 ? NO_MATCHES : out.slice();
  }

  private feed(
    c: CompiledCorrelation,
    inputs: readonly number[],
    time: number,
    fields: Record<string, unknown>,
    ids: readonly string[],
    out: SigmaMatch[],
    depth: number,
  ): void {
    const getters = c.groupGetters[inputs[0] as number] ?? [];
    let key = '';
    for (let i = 0; i < getters.length; i++) {
      const v = keyText((getters[i] as FieldGetter)(fields));
      if (v === undefined) return; // events without the group-by fields do not form a group
      key = i === 0 ? v : `${key}\u0000${v}`;
    }
    let counted: string | undefined;
    for (let i = 0; i < c.valueGetters.length; i++) {
      const v = keyText((c.valueGetters[i] as FieldGetter)(fields));
      if (v === undefined) return;
      counted = i === 0 ? v : `${counted}\u0000${v}`;
    }
    const fired = c.state.add(key, inputs, time, ids, counted);
    if (!fired) return;
    const spec = c.state.spec;
    const group: Record<string, string> = {};
    spec.groupBy.forEach((name, i) => (group[name] = keyText((getters[i] as FieldGetter)(fields)) as string));
    if (c.emit)
      out.push({ rule: ruleInfo(c.rule), kind: 'correlation', eventIds: fired.eventIds, group, count: fired.count });
    // Chained correlations see the match as an event carrying the group-by values.
    if (depth < 16) for (const f of c.feeds) this.feed(f.corr, f.inputs, time, group, fired.eventIds, out, depth + 1);
  }

  stats(): SigmaEngineStats {
    let groups = 0;
    let capped = this.cappedBefore;
    for (const c of this.set.correlations) {
      groups += c.state.groups.size;
      capped += c.state.capped;
    }
    return {
      rules: this.set.detections.length + this.set.correlations.length,
      correlations: this.set.correlations.length,
      groups,
      capped,
    };
  }
}

export function createSigmaEngine(opts: SigmaEngineOptions = {}): SigmaEngine {
  const max = opts.maxGroupsPerCorrelation ?? DEFAULT_MAX_GROUPS_PER_CORRELATION;
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxGroupsPerCorrelation must be a positive integer');
  return new Engine(max);
}
