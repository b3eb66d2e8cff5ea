/**
 * The `correlation` section of a Sigma correlation rule, checked beyond the (loose) official
 * schema and normalised: timespan in milliseconds, `condition.field` as a list.
 */
import { fail } from './compile-error.ts';
import type { CorrelationCondition, CorrelationType, SigmaCorrelation } from './types.ts';

const TYPES: readonly CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
/** Thresholds beyond this would make a window's bounded buffers large; refuse them. */
export const MAX_THRESHOLD = 100_000;

export function parseTimespan(text: unknown, path: readonly (string | number)[]): number {
  const m = typeof text === 'string' ? /^(\d+)([smhd])$/.exec(text) : null;
  if (!m) return fail(path, `timespan must be a number and one of s, m, h, d (e.g. 5m), got '${String(text)}'`);
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  if (ms <= 0) fail(path, 'timespan must be positive');
  return ms;
}

function parseCondition(
  raw: unknown,
  type: CorrelationType,
  path: readonly (string | number)[],
): CorrelationCondition | undefined {
  if (raw === undefined) {
    if (type === 'event_count' || type === 'value_count') fail(path, `${type} needs a condition`);
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return fail(path, 'condition must be a map such as {gte: 10}');
  const cond: CorrelationCondition = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === 'field') {
      const fields = Array.isArray(v) ? v : [v];
      if (fields.length === 0 || fields.some((f) => typeof f !== 'string' || f === ''))
        fail([...path, k], 'field must be a field name or a list of them');
      cond.field = fields as string[];
    } else if ((OPS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_THRESHOLD)
        fail([...path, k], `${k} must be an integer from 0 to ${MAX_THRESHOLD}`);
      cond[k as (typeof OPS)[number]] = v;
    } else {
      fail([...path, k], `unknown condition key '${k}' (use gt, gte, lt, lte, eq, neq, field)`);
    }
  }
  if (!OPS.some((op) => cond[op] !== undefined)) fail(path, 'condition needs one of gt, gte, lt, lte, eq, neq');
  if (type === 'value_count' && !cond.field) fail(path, 'value_count needs condition.field');
  if (type !== 'value_count' && cond.field)
    fail([...path, 'field'], `condition.field applies to value_count, not ${type}`);
  return cond;
}

export function parseCorrelationSection(
  raw: Record<string, unknown>,
  path: readonly (string | number)[] = ['correlation'],
): SigmaCorrelation {
  const type = raw['type'];
  if (!TYPES.includes(type as CorrelationType))
    fail([...path, 'type'], `correlation type '${String(type)}' is not supported (supported: ${TYPES.join(', ')})`);
  const t = type as CorrelationType;
  const rules = raw['rules'];
  if (!Array.isArray(rules) || rules.length === 0 || rules.some((r) => typeof r !== 'string'))
    fail([...path, 'rules'], 'rules must list rule ids or names');
  if ((t === 'temporal' || t === 'temporal_ordered') && rules.length < 2)
    fail([...path, 'rules'], `${t} needs at least two rules`);
  const groupBy = raw['group-by'] ?? [];
  if (!Array.isArray(groupBy) || groupBy.some((g) => typeof g !== 'string' || g === ''))
    fail([...path, 'group-by'], 'group-by must list field names');
  const aliases: Record<string, Record<string, string>> = {};
  const rawAliases = raw['aliases'];
  if (rawAliases !== undefined) {
    if (rawAliases === null || typeof rawAliases !== 'object' || Array.isArray(rawAliases))
      fail([...path, 'aliases'], 'aliases must be a map');
    for (const [alias, map] of Object.entries(rawAliases as Record<string, unknown>)) {
      if (map === null || typeof map !== 'object' || Array.isArray(map))
        fail([...path, 'aliases', alias], 'an alias maps rule names to field names');
      for (const [rule, field] of Object.entries(map as Record<string, unknown>)) {
        if (typeof field !== 'string' || field === '')
          fail([...path, 'aliases', alias, rule], 'an alias maps rule names to field names');
        if (!rules.includes(rule))
          fail([...path, 'aliases', alias, rule], `alias refers to '${rule}', which is not in rules`);
      }
      aliases[alias] = map as Record<string, string>;
    }
  }
  return {
    type: t,
    rules: rules as string[],
    groupBy: groupBy as string[],
    timespanMs: parseTimespan(raw['timespan'], [...path, 'timespan']),
    condition: parseCondition(raw['condition'], t, [...path, 'condition']),
    aliases,
    generate: false,
  };
}

export function conditionHolds(cond: CorrelationCondition | undefined, n: number, fallbackGte: number): boolean {
  if (!cond) return n >= fallbackGte;
  if (cond.gt !== undefined && !(n > cond.gt)) return false;
  if (cond.gte !== undefined && !(n >= cond.gte)) return false;
  if (cond.lt !== undefined && !(n < cond.lt)) return false;
  if (cond.lte !== undefined && !(n <= cond.lte)) return false;
  if (cond.eq !== undefined && n !== cond.eq) return false;
  if (cond.neq !== undefined && n === cond.neq) return false;
  return true;
}

/** How many most recent entries a window must keep to decide the condition exactly. */
export function retentionBound(cond: CorrelationCondition | undefined, fallback: number): number {
  if (!cond) return fallback + 1;
  const bounds = OPS.map((op) => cond[op]).filter((v): v is number => v !== undefined);
  return Math.max(...bounds) + 2;
}
