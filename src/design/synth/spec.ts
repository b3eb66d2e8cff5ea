import type { ActSet, CompExpr, Decl } from './ast.ts';
import type { Env } from './eval-values.ts';
import type { Evaluator } from './evaluate.ts';
import { underPrefix, type Lts } from './lts.ts';
import { synthesise, type Supervisor } from './synthesis.ts';
import { asProperty } from './transform.ts';

/** A `controllerSpec` reduced to what synthesis evaluates. */
export interface ControlGoal {
  name: string;
  controllable: string[];
  marking: string[] | null;
  safety: string[];
}

export interface SynthesisResult {
  goal: ControlGoal;
  plant: Lts;
  supervisor: Supervisor;
  controller: Lts | null;
  explanation: string;
}

const UNSUPPORTED_KEYS: Record<string, string> = {
  liveness: 'GR(1) liveness goals',
  assumption: 'GR(1) assumptions',
  failure: 'failure sets (GR(1) with failures)',
  concurrency: 'concurrency fluents',
  lazyness: 'lazyness',
  non_transient: 'non-transient goals',
  reachability: 'reachability fluents',
  controlstack: 'control stacks',
};

/** Names listed in `{A, B}` (each a bare upper-case name). */
export function namesIn(s: ActSet | null): string[] {
  if (!s) return [];
  if (s.k === 'diff') return [...namesIn(s.l)];
  const out: string[] = [];
  for (const p of s.label.parts) {
    if (p.k === 'setname') out.push(p.name);
    else if (p.k === 'set') for (const it of p.items) out.push(...namesIn(it));
  }
  return out;
}

export function readGoal(ev: Evaluator, goalName: string, env: Env, pos: { line: number; col: number }): ControlGoal {
  const d: Decl | undefined = ev.scope.others.get(goalName);
  if (!d || d.kind !== 'controllerSpec')
    return ev.scope.fail('UNDEFINED', `undefined controllerSpec "${goalName}"`, pos);
  const goal: ControlGoal = { name: goalName, controllable: [], marking: null, safety: [] };
  let nonblocking = false;
  for (const e of d.entries) {
    if (UNSUPPORTED_KEYS[e.key])
      ev.scope.fail(
        'UNSUPPORTED',
        `controllerSpec ${goalName}: ${UNSUPPORTED_KEYS[e.key]} ("${e.key}") are parsed but not supported; synthesis handles safety processes and marking + nonblocking`,
        e.pos,
      );
    if (e.key === 'controllable') goal.controllable = e.value ? ev.scope.actSet(e.value, env) : [];
    else if (e.key === 'marking') goal.marking = e.value ? ev.scope.actSet(e.value, env) : [];
    else if (e.key === 'nonblocking') nonblocking = true;
    else if (e.key === 'safety') goal.safety = namesIn(e.value);
    else ev.scope.fail('UNSUPPORTED', `controllerSpec ${goalName}: unknown entry "${e.key}"`, e.pos);
  }
  if (goal.marking && !nonblocking)
    ev.warnings.push(
      `controllerSpec ${goalName}: marking without nonblocking; synthesising a non-blocking controller anyway`,
    );
  if (nonblocking && !goal.marking)
    ev.scope.fail('UNSUPPORTED', `controllerSpec ${goalName}: nonblocking needs a marking set`, d.pos);
  return goal;
}

/** Composes the plant with the safety properties and synthesises the supervisor. */
export function synthesiseFromSpec(
  ev: Evaluator,
  e: Extract<CompExpr, { k: 'control' }>,
  env: Env,
  name: string,
): SynthesisResult {
  const goal = readGoal(ev, e.goal, env, e.pos);
  const safety: Lts[] = [];
  for (const s of goal.safety) {
    const d = ev.scope.procs.get(s) ?? ev.scope.others.get(s);
    if (d && (d.kind === 'assert' || d.kind === 'constraint'))
      ev.scope.fail(
        'UNSUPPORTED',
        `controllerSpec ${goal.name}: the safety requirement ${s} is an ${d.kind}; use an ltl_property []φ or a property process`,
        d.pos,
      );
    const lts = ev.lts(s);
    const isProp = (d?.kind === 'process' && d.property) || d?.kind === 'ltl_property';
    safety.push(isProp ? lts : asProperty(lts, ev.maxStates));
  }
  const plantParts = ev.comp(e.plant, env, name);
  const plant = ev.composeAll([...plantParts, ...safety], `${name}.plant`);
  const n = ev.actions.names.length;
  const controllable = new Uint8Array(n);
  const marking = goal.marking ? new Uint8Array(n) : null;
  for (let a = 1; a < n; a++) {
    const an = ev.actions.name(a);
    if (goal.controllable.some((c) => underPrefix(an, c))) controllable[a] = 1;
    if (marking && goal.marking!.some((m) => underPrefix(an, m))) marking[a] = 1;
  }
  const supervisor = synthesise({ plant, controllable, marking, name });
  const explanation = supervisor.controller
    ? `controller with ${supervisor.controller.nStates} states`
    : `Counter-example from the initial state: ${supervisor.counterexample!.join(' -> ')}`;
  return { goal, plant, supervisor, controller: supervisor.controller, explanation };
}
