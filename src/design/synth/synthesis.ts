import { ERROR_STATE, IntVec, TAU, fromEdges, type Lts } from './lts.ts';

export interface SynthesisInput {
  plant: Lts;
  /** controllable[a] = 1 for controllable action ids; tau is never controllable. */
  controllable: Uint8Array;
  /** marking[a] = 1 for marking action ids, or null for a safety-only goal. */
  marking: Uint8Array | null;
  name: string;
}

export type Reason =
  | { kind: 'error'; action: number }
  | { kind: 'uncontrollable'; action: number; target: number }
  | { kind: 'blocking' }
  | { kind: 'deadlock' };

export interface Supervisor {
  /** winning[s] = 1 where the plant state is kept by the supervisor. */
  winning: Uint8Array;
  /** The controller: the reachable part of the plant inside the winning states, renumbered Q0… */
  controller: Lts | null;
  /** controller state → plant state. */
  plantStateOf: Int32Array;
  /** Why the initial state is losing: actions from it, and how it ends. */
  counterexample: string[] | null;
  iterations: number;
}

/**
 * The maximally permissive non-blocking supervisor (Ramadge–Wonham fixed point on the plant's
 * states): repeatedly remove states from which an uncontrollable action (tau included) reaches a
 * removed state or ERROR, then — with a marking goal — states that can no longer reach a marking
 * transition inside the kept states. Without a marking goal (safety only), a state whose every move
 * leads to a removed state (or that has none) is removed too, as MTSA does: the controlled system
 * must not deadlock. Controllable transitions into removed states are disabled.
 */
export function synthesise(input: SynthesisInput): Supervisor {
  const { plant, controllable, marking } = input;
  const n = plant.nStates;
  const isUnc = (a: number) => a === TAU || controllable[a] !== 1;
  // Reverse adjacency in CSR.
  const rOff = new Int32Array(n + 1);
  for (let e = 0; e < plant.targets.length; e++) if (plant.targets[e]! >= 0) rOff[plant.targets[e]! + 1]!++;
  for (let s = 0; s < n; s++) rOff[s + 1]! += rOff[s]!;
  const rSrc = new Int32Array(rOff[n]!);
  const rLab = new Int32Array(rOff[n]!);
  const fill = rOff.slice(0, n);
  for (let s = 0; s < n; s++)
    for (let e = plant.offsets[s]!; e < plant.offsets[s + 1]!; e++) {
      const t = plant.targets[e]!;
      if (t < 0) continue;
      const k = fill[t]!++;
      rSrc[k] = s;
      rLab[k] = plant.labels[e]!;
    }
  const bad = new Uint8Array(n);
  const reasons = new Map<number, Reason>();
  const stack = new IntVec();
  const markBad = (s: number, r: Reason) => {
    if (bad[s]) return;
    bad[s] = 1;
    reasons.set(s, r);
    stack.push(s);
  };
  for (let s = 0; s < n; s++)
    for (let e = plant.offsets[s]!; e < plant.offsets[s + 1]!; e++)
      if (plant.targets[e] === ERROR_STATE && isUnc(plant.labels[e]!)) {
        markBad(s, { kind: 'error', action: plant.labels[e]! });
        break;
      }
  // Safety only: live[s] counts the moves of s into states not (yet) removed.
  const live = marking ? null : new Int32Array(n);
  if (live) {
    for (let s = 0; s < n; s++)
      for (let e = plant.offsets[s]!; e < plant.offsets[s + 1]!; e++) if (plant.targets[e]! >= 0) live[s]!++;
  }
  const propagate = () => {
    while (stack.length) {
      const t = stack.data[--stack.length]!;
      for (let k = rOff[t]!; k < rOff[t + 1]!; k++) {
        const s = rSrc[k]!;
        if (bad[s]) continue;
        if (isUnc(rLab[k]!)) markBad(s, { kind: 'uncontrollable', action: rLab[k]!, target: t });
        else if (live && --live[s]! === 0) markBad(s, { kind: 'deadlock' });
      }
    }
  };
  if (live) for (let s = 0; s < n; s++) if (live[s] === 0) markBad(s, { kind: 'deadlock' });
  propagate();
  let iterations = 1;
  if (marking) {
    const co = new Uint8Array(n);
    for (;;) {
      co.fill(0);
      const queue = new IntVec();
      for (let s = 0; s < n; s++) {
        if (bad[s]) continue;
        for (let e = plant.offsets[s]!; e < plant.offsets[s + 1]!; e++) {
          const t = plant.targets[e]!;
          if (t >= 0 && !bad[t] && marking[plant.labels[e]!] === 1) {
            co[s] = 1;
            queue.push(s);
            break;
          }
        }
      }
      for (let i = 0; i < queue.length; i++) {
        const t = queue.data[i]!;
        for (let k = rOff[t]!; k < rOff[t + 1]!; k++) {
          const s = rSrc[k]!;
          if (!bad[s] && !co[s]) {
            co[s] = 1;
            queue.push(s);
          }
        }
      }
      let changed = false;
      for (let s = 0; s < n; s++)
        if (!bad[s] && !co[s]) {
          markBad(s, { kind: 'blocking' });
          changed = true;
        }
      if (!changed) break;
      propagate();
      iterations++;
    }
  }
  const winning = new Uint8Array(n);
  for (let s = 0; s < n; s++) winning[s] = bad[s] ? 0 : 1;
  if (bad[0])
    return {
      winning,
      controller: null,
      plantStateOf: new Int32Array(0),
      counterexample: explain(plant, reasons),
      iterations,
    };
  const { lts, map } = restrict(plant, winning, input.name);
  return { winning, controller: lts, plantStateOf: map, counterexample: null, iterations };
}

/** The environment's way from `s` to a loss: uncontrollable actions to ERROR, or to a blocking state. */
function chain(plant: Lts, reasons: Map<number, Reason>, from: number, trace: string[]): number | null {
  let s = from;
  for (let guard = 0; guard <= plant.nStates; guard++) {
    const r = reasons.get(s);
    if (!r) return null;
    if (r.kind === 'error') {
      trace.push(plant.actions.name(r.action), 'ERROR');
      return null;
    }
    if (r.kind === 'blocking' || r.kind === 'deadlock') return s;
    trace.push(plant.actions.name(r.action));
    s = r.target;
  }
  return null;
}

function explain(plant: Lts, reasons: Map<number, Reason>): string[] {
  const trace: string[] = [];
  const blocked = chain(plant, reasons, 0, trace);
  if (blocked === null) return trace;
  const what =
    reasons.get(blocked)?.kind === 'deadlock'
      ? 'deadlock: every move leads to a losing state'
      : 'no marked state reachable whatever the controller does';
  // A state that cannot reach a marked state: say where each of its moves leads.
  const moves: string[] = [];
  for (let e = plant.offsets[blocked]!; e < plant.offsets[blocked + 1]! && moves.length < 6; e++) {
    const sub: string[] = [plant.actions.name(plant.labels[e]!)];
    const t = plant.targets[e]!;
    if (t === ERROR_STATE) sub.push('ERROR');
    else if (chain(plant, reasons, t, sub) !== null) sub.push('(a losing state)');
    moves.push(sub.join(' -> '));
  }
  trace.push(`(${what}${moves.length ? `; its moves: ${moves.join(' | ')}` : '; no moves'})`);
  return trace;
}

/** The reachable part of the plant inside `keep`, transitions into removed states dropped. */
function restrict(plant: Lts, keep: Uint8Array, name: string): { lts: Lts; map: Int32Array } {
  const idOf = new Int32Array(plant.nStates).fill(-1);
  const order = new IntVec();
  order.push(0);
  idOf[0] = 0;
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  for (let i = 0; i < order.length; i++) {
    const s = order.data[i]!;
    for (let e = plant.offsets[s]!; e < plant.offsets[s + 1]!; e++) {
      const t = plant.targets[e]!;
      if (t < 0 || !keep[t]) continue;
      if (idOf[t] === -1) {
        idOf[t] = order.length;
        order.push(t);
      }
      s2.push(i);
      l2.push(plant.labels[e]!);
      d2.push(idOf[t]!);
    }
  }
  const lts = fromEdges(name, plant.actions, order.length, s2.view(), l2.view(), d2.view(), plant.alphabet);
  return { lts, map: order.view().slice() };
}
