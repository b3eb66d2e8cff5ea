/**
 * A loaded rule set: detection rules compiled, correlation references resolved (by id or name),
 * and the wiring from each rule to the correlations it feeds. Building it checks the set as a whole
 * (duplicate ids, references to missing rules, reference cycles) before anything is replaced.
 */
import { MsecError } from '../../core/errors.ts';
import { SigmaCompileError } from './compile-error.ts';
import { CorrelationState } from './correlation-state.ts';
import { compileDetectionCached } from './detection.ts';
import { compileGetter, type FieldGetter } from './fields.ts';
import type { DocTest } from './modifiers.ts';
import type { SigmaRule } from './types.ts';

export interface Feed {
  corr: CompiledCorrelation;
  input: number;
  /** `[input]`, allocated once. */
  inputs: readonly number[];
}

export interface CompiledDetection {
  rule: SigmaRule;
  test: DocTest;
  emit: boolean;
  feeds: Feed[];
}

export interface CompiledCorrelation {
  rule: SigmaRule;
  state: CorrelationState;
  emit: boolean;
  feeds: Feed[];
  /** Per input (referenced rule), the getters of the group-by fields (aliases resolved). */
  groupGetters: FieldGetter[][];
  valueGetters: FieldGetter[];
  fingerprint: string;
}

export interface RuleSet {
  detections: CompiledDetection[];
  correlations: CompiledCorrelation[];
}

function invalid(rule: SigmaRule | undefined, field: string | undefined, message: string): MsecError {
  const where = rule ? `${rule.file}:${rule.line}` : 'rule set';
  return new MsecError('MONITOR_RULE_INVALID', `${where}: ${message}`, {
    status: 400,
    details: {
      ...(rule ? { file: rule.file, line: rule.line } : {}),
      ...(field ? { field } : {}),
      errors: [{ ...(rule ? { line: rule.line } : {}), ...(field ? { field } : {}), message }],
    },
  });
}

function compileRule(rule: SigmaRule): DocTest {
  try {
    return compileDetectionCached(rule.detection ?? {});
  } catch (err) {
    if (err instanceof SigmaCompileError) throw invalid(rule, err.path.join('.'), err.message);
    throw err;
  }
}

export function buildRuleSet(
  rules: readonly SigmaRule[],
  previous: readonly CompiledCorrelation[],
  maxGroups: number,
): RuleSet {
  const byRef = new Map<string, SigmaRule>();
  for (const r of rules) {
    if (r.kind === 'detection' && !r.detection)
      throw invalid(r, 'detection', 'a detection rule needs a detection section');
    if (r.kind === 'correlation' && !r.correlation)
      throw invalid(r, 'correlation', 'a correlation rule needs a correlation section');
    for (const ref of new Set([r.id, r.name].filter((x): x is string => x !== undefined))) {
      const other = byRef.get(ref);
      if (other && other !== r)
        throw invalid(r, ref === r.id ? 'id' : 'name', `'${ref}' is also used by ${other.file}:${other.line}`);
      byRef.set(ref, r);
    }
  }
  const resolve = (c: SigmaRule): SigmaRule[] =>
    (c.correlation?.rules ?? []).map(
      (ref, i) =>
        byRef.get(ref) ??
        (() => {
          throw invalid(c, `correlation.rules.${i}`, `references rule '${ref}', which is not loaded`);
        })(),
    );

  // Fingerprints cover the semantics only (detection logic, correlation spec), so a change of title
  // or level keeps the window state; a cycle would recurse forever, so it is detected here.
  const fingerprints = new Map<SigmaRule, string>();
  const fingerprint = (r: SigmaRule, stack: SigmaRule[]): string => {
    const known = fingerprints.get(r);
    if (known) return known;
    if (stack.includes(r))
      throw invalid(r, 'correlation.rules', `reference cycle: ${[...stack, r].map((x) => x.id).join(' -> ')}`);
    const fp =
      r.kind === 'detection'
        ? JSON.stringify({ l: r.logsource, d: r.detection })
        : JSON.stringify({ c: r.correlation, r: resolve(r).map((x) => fingerprint(x, [...stack, r])) });
    fingerprints.set(r, fp);
    return fp;
  };

  const oldStates = new Map(previous.map((c) => [`${c.rule.id}\u0000${c.fingerprint}`, c.state]));
  const generated = new Map<SigmaRule, boolean>(); // referenced rule -> does some referrer say generate
  const detections = new Map<SigmaRule, CompiledDetection>();
  const correlations = new Map<SigmaRule, CompiledCorrelation>();
  for (const r of rules) {
    if (r.kind === 'detection') detections.set(r, { rule: r, test: compileRule(r), emit: true, feeds: [] });
  }
  for (const r of rules) {
    if (r.kind !== 'correlation' || !r.correlation) continue;
    const spec = r.correlation;
    const fp = fingerprint(r, []);
    const inputs = resolve(r);
    for (const input of inputs) generated.set(input, (generated.get(input) ?? false) || spec.generate);
    const groupGetters = inputs.map((input) =>
      spec.groupBy.map((g) => {
        const alias = spec.aliases[g];
        const field = alias ? (alias[input.name ?? ''] ?? alias[input.id] ?? g) : g;
        return compileGetter(field);
      }),
    );
    const state = oldStates.get(`${r.id}\u0000${fp}`) ?? new CorrelationState(spec, maxGroups);
    correlations.set(r, {
      rule: r,
      state,
      emit: true,
      feeds: [],
      groupGetters,
      valueGetters: (spec.condition?.field ?? []).map(compileGetter),
      fingerprint: fp,
    });
  }
  for (const c of correlations.values()) {
    resolve(c.rule).forEach((input, i) => {
      const target = detections.get(input) ?? correlations.get(input);
      target?.feeds.push({ corr: c, input: i, inputs: [i] });
    });
  }
  for (const [r, gen] of generated) {
    const target = detections.get(r) ?? correlations.get(r);
    if (target) target.emit = gen;
  }
  return { detections: [...detections.values()], correlations: [...correlations.values()] };
}
