import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionTable, ERROR_STATE, fromEdges, type Lts } from './lts.ts';
import { synthesise } from './synthesis.ts';

interface Plant {
  lts: Lts;
  controllable: Uint8Array;
  marking: Uint8Array | null;
}

const N_ACTIONS = 4;

/** Random small plants: up to 6 states, 4 actions (ids 1..4), edges possibly into ERROR. */
const plantArb = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    edges: fc.array(fc.record({ s: fc.nat(5), a: fc.integer({ min: 1, max: N_ACTIONS }), t: fc.integer({ min: -1, max: 5 }) }), { maxLength: 16 }),
    ctrl: fc.array(fc.boolean(), { minLength: N_ACTIONS + 1, maxLength: N_ACTIONS + 1 }),
    mark: fc.option(fc.array(fc.boolean(), { minLength: N_ACTIONS + 1, maxLength: N_ACTIONS + 1 }), { nil: null }),
  })
  .map(({ n, edges, ctrl, mark }): Plant => {
    const actions = new ActionTable();
    for (let a = 1; a <= N_ACTIONS; a++) actions.id(`a${a}`);
    const es = edges.map((e) => ({ s: e.s % n, a: e.a, t: e.t < 0 ? ERROR_STATE : e.t % n }));
    const lts = fromEdges('P', actions, n, Int32Array.from(es.map((e) => e.s)), Int32Array.from(es.map((e) => e.a)), Int32Array.from(es.map((e) => e.t)));
    const controllable = Uint8Array.from(ctrl.map((c, i) => (i > 0 && c ? 1 : 0)));
    const marking = mark ? Uint8Array.from(mark.map((m, i) => (i > 0 && m ? 1 : 0))) : null;
    return { lts, controllable, marking };
  });

function edges(lts: Lts): { s: number; a: number; t: number }[] {
  const out: { s: number; a: number; t: number }[] = [];
  for (let s = 0; s < lts.nStates; s++) for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) out.push({ s, a: lts.labels[e]!, t: lts.targets[e]! });
  return out;
}

/** Brute force: is this set of plant states closed under uncontrollable moves, safe, and (with marking) coreachable? */
function valid(p: Plant, set: boolean[]): boolean {
  const es = edges(p.lts);
  for (const e of es) if (set[e.s] && p.controllable[e.a] !== 1 && (e.t === ERROR_STATE || !set[e.t])) return false;
  if (!p.marking) return true;
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

/** The largest valid set, as the union of all valid subsets (2^n, n ≤ 6). */
function supremum(p: Plant): boolean[] {
  const n = p.lts.nStates;
  const union = new Array<boolean>(n).fill(false);
  for (let mask = 1; mask < 1 << n; mask++) {
    const set = Array.from({ length: n }, (_, s) => (mask & (1 << s)) !== 0);
    if (valid(p, set)) set.forEach((b, s) => (union[s] ||= b));
  }
  return union;
}

describe('supervisor synthesis', () => {
  it('keeps exactly the largest controllable, safe, non-blocking set of states (maximal permissiveness, brute force)', () => {
    fc.assert(
      fc.property(plantArb, (p) => {
        const sup = synthesise({ plant: p.lts, controllable: p.controllable, marking: p.marking, name: 'C' });
        const brute = supremum(p);
        expect(Array.from(sup.winning, (w) => w === 1)).toEqual(brute);
        expect(sup.controller === null).toBe(!brute[0]);
      }),
      { numRuns: 400 },
    );
  });

  it('never disables an uncontrollable action, never enables a move into ERROR, and stays non-blocking', () => {
    fc.assert(
      fc.property(plantArb, (p) => {
        const sup = synthesise({ plant: p.lts, controllable: p.controllable, marking: p.marking, name: 'C' });
        fc.pre(sup.controller !== null);
        const c = sup.controller!;
        const plantEdges = edges(p.lts);
        const ctrlEdges = edges(c);
        for (const e of ctrlEdges) {
          expect(e.t).not.toBe(ERROR_STATE);
          // Every controller move is a plant move.
          expect(plantEdges.some((pe) => pe.s === sup.plantStateOf[e.s] && pe.a === e.a && pe.t === sup.plantStateOf[e.t])).toBe(true);
        }
        for (let q = 0; q < c.nStates; q++) {
          for (const pe of plantEdges.filter((x) => x.s === sup.plantStateOf[q] && p.controllable[x.a] !== 1)) {
            expect(ctrlEdges.some((e) => e.s === q && e.a === pe.a && sup.plantStateOf[e.t] === pe.t)).toBe(true);
          }
        }
        if (p.marking) {
          // Every reachable controller state reaches a marking transition.
          const co = new Array<boolean>(c.nStates).fill(false);
          let changed = true;
          while (changed) {
            changed = false;
            for (const e of ctrlEdges) if (!co[e.s] && (p.marking[e.a] === 1 || co[e.t])) {
              co[e.s] = true;
              changed = true;
            }
          }
          expect(co.every(Boolean)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('explains a missing controller with the uncontrollable path to ERROR', () => {
    const actions = new ActionTable();
    const [go, fail] = [actions.id('go'), actions.id('fail')];
    // 0 -go(c)-> 1 -fail(u)-> ERROR, and 0 -fail(u)-> 1: the environment forces the error.
    const lts = fromEdges('P', actions, 2, Int32Array.from([0, 0, 1]), Int32Array.from([go, fail, fail]), Int32Array.from([1, 1, ERROR_STATE]));
    const controllable = new Uint8Array(3);
    controllable[go] = 1;
    const sup = synthesise({ plant: lts, controllable, marking: null, name: 'C' });
    expect(sup.controller).toBeNull();
    expect(sup.counterexample).toEqual(['fail', 'fail', 'ERROR']);
  });
});
