import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActionTable, ERROR_STATE, fromEdges, type Lts } from './lts.ts';
import { synthesise } from './synthesis.ts';
import { bruteForceSupremum, exploreController } from '../../../test/helpers/supervision.ts';

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
    edges: fc.array(
      fc.record({ s: fc.nat(5), a: fc.integer({ min: 1, max: N_ACTIONS }), t: fc.integer({ min: -1, max: 5 }) }),
      { maxLength: 16 },
    ),
    ctrl: fc.array(fc.boolean(), { minLength: N_ACTIONS + 1, maxLength: N_ACTIONS + 1 }),
    mark: fc.option(fc.array(fc.boolean(), { minLength: N_ACTIONS + 1, maxLength: N_ACTIONS + 1 }), { nil: null }),
  })
  .map(({ n, edges, ctrl, mark }): Plant => {
    const actions = new ActionTable();
    for (let a = 1; a <= N_ACTIONS; a++) actions.id(`a${a}`);
    const es = edges.map((e) => ({ s: e.s % n, a: e.a, t: e.t < 0 ? ERROR_STATE : e.t % n }));
    const lts = fromEdges(
      'P',
      actions,
      n,
      Int32Array.from(es.map((e) => e.s)),
      Int32Array.from(es.map((e) => e.a)),
      Int32Array.from(es.map((e) => e.t)),
    );
    const controllable = Uint8Array.from(ctrl.map((c, i) => (i > 0 && c ? 1 : 0)));
    const marking = mark ? Uint8Array.from(mark.map((m, i) => (i > 0 && m ? 1 : 0))) : null;
    return { lts, controllable, marking };
  });

describe('supervisor synthesis', () => {
  it('keeps exactly the largest controllable, safe, non-blocking set of states (maximal permissiveness, brute force)', () => {
    fc.assert(
      fc.property(plantArb, (p) => {
        const sup = synthesise({ plant: p.lts, controllable: p.controllable, marking: p.marking, name: 'C' });
        const brute = bruteForceSupremum(p);
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
        expect(exploreController(p, sup)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('explains a missing controller with the uncontrollable path to ERROR', () => {
    const actions = new ActionTable();
    const [go, fail] = [actions.id('go'), actions.id('fail')];
    // 0 -go(c)-> 1 -fail(u)-> ERROR, and 0 -fail(u)-> 1: the environment forces the error.
    const lts = fromEdges(
      'P',
      actions,
      2,
      Int32Array.from([0, 0, 1]),
      Int32Array.from([go, fail, fail]),
      Int32Array.from([1, 1, ERROR_STATE]),
    );
    const controllable = new Uint8Array(3);
    controllable[go] = 1;
    const sup = synthesise({ plant: lts, controllable, marking: null, name: 'C' });
    expect(sup.controller).toBeNull();
    expect(sup.counterexample).toEqual(['fail', 'fail', 'ERROR']);
  });
});
