import { ERROR_STATE, type Lts } from '../../src/design/synth/lts.ts';
import type { Supervisor } from '../../src/design/synth/synthesis.ts';

/** Independent checks of a supervisor against its plant, by brute force (for tests only). */
export interface PlantGoal {
  lts: Lts;
  controllable: Uint8Array;
  marking: Uint8Array | null;
}

export function edgeList(lts: Lts): { s: number; a: number; t: number }[] {
  const out: { s: number; a: number; t: number }[] = [];
  for (let s = 0; s < lts.nStates; s++)
    for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) out.push({ s, a: lts.labels[e]!, t: lts.targets[e]! });
  return out;
}

const isUnc = (p: PlantGoal, a: number) => a === 0 || p.controllable[a] !== 1;

/**
 * Closed under uncontrollable moves, never into ERROR, and: with marking, every state reaches a
 * marking move inside; without, every state has a move inside (no deadlock).
 */
export function validSet(p: PlantGoal, set: boolean[]): boolean {
  const es = edgeList(p.lts);
  for (const e of es) if (set[e.s] && isUnc(p, e.a) && (e.t === ERROR_STATE || !set[e.t])) return false;
  if (!p.marking)
    return set.every((inSet, s) => !inSet || es.some((e) => e.s === s && e.t !== ERROR_STATE && set[e.t]));
  const co = set.map(() => false);
  let changed = true;
  while (changed) {
    changed = false;
    for (const e of es) {
      if (!set[e.s] || co[e.s] || e.t === ERROR_STATE || !set[e.t]) continue;
      if (p.marking[e.a] === 1 || co[e.t]) {
        co[e.s] = true;
        changed = true;
      }
    }
  }
  return set.every((inSet, s) => !inSet || co[s]);
}

/** Union of all valid subsets (2^n): the largest valid set. */
export function bruteForceSupremum(p: PlantGoal): boolean[] {
  const n = p.lts.nStates;
  if (n > 18) throw new Error('brute force is for tiny plants');
  const union = new Array<boolean>(n).fill(false);
  for (let mask = 1; mask < 1 << n; mask++) {
    const set = Array.from({ length: n }, (_, s) => (mask & (1 << s)) !== 0);
    if (validSet(p, set)) set.forEach((b, s) => (union[s] ||= b));
  }
  return union;
}

/** Problems found by exploring the controller against the plant (empty when it is correct). */
export function exploreController(p: PlantGoal, sup: Supervisor): string[] {
  const c = sup.controller;
  if (!c) return [];
  const problems: string[] = [];
  const plantEdges = edgeList(p.lts);
  const ctrlEdges = edgeList(c);
  const name = (a: number) => c.actions.name(a);
  for (const e of ctrlEdges) {
    if (e.t === ERROR_STATE) problems.push(`Q${e.s} enables ${name(e.a)} into ERROR`);
    else if (!plantEdges.some((pe) => pe.s === sup.plantStateOf[e.s] && pe.a === e.a && pe.t === sup.plantStateOf[e.t]))
      problems.push(`Q${e.s} --${name(e.a)}-> is not a plant move`);
  }
  for (let q = 0; q < c.nStates; q++) {
    for (const pe of plantEdges.filter((x) => x.s === sup.plantStateOf[q] && isUnc(p, x.a))) {
      if (!ctrlEdges.some((e) => e.s === q && e.a === pe.a && sup.plantStateOf[e.t] === pe.t))
        problems.push(`Q${q} disables the uncontrollable ${name(pe.a)}`);
    }
  }
  if (!p.marking)
    for (let q = 0; q < c.nStates; q++) if (c.offsets[q] === c.offsets[q + 1]) problems.push(`Q${q} deadlocks`);
  if (p.marking) {
    const co = new Array<boolean>(c.nStates).fill(false);
    let changed = true;
    while (changed) {
      changed = false;
      for (const e of ctrlEdges)
        if (!co[e.s] && e.t >= 0 && (p.marking[e.a] === 1 || co[e.t])) {
          co[e.s] = true;
          changed = true;
        }
    }
    co.forEach((ok, q) => ok || problems.push(`Q${q} cannot reach a marked state`));
  }
  return problems;
}
