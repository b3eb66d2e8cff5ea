import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bruteForceSupremum, exploreController, type PlantGoal } from '../../../test/helpers/supervision.ts';
import { REPO_ROOT } from '../../../test/helpers/testdata.ts';
import { Evaluator } from './evaluate.ts';
import { underPrefix } from './lts.ts';
import { parseFsp } from './parser.ts';
import type { SynthesisResult } from './spec.ts';

const ACTS = ['a', 'b', 'c', 'd'];

/** A random process text `NAME = S0, S0 = (x -> S1 | …), …` over the given actions. */
const procArb = (acts: string[]) =>
  fc.integer({ min: 1, max: 3 }).chain((n) =>
    fc.array(fc.array(fc.record({ a: fc.constantFrom(...acts), t: fc.nat(n - 1) }), { maxLength: 2 }), {
      minLength: n,
      maxLength: n,
    }),
  );

function procText(name: string, states: { a: string; t: number }[][], property = false): string {
  const body = (alts: { a: string; t: number }[]) => {
    const seen = new Set<string>();
    const uniq = alts.filter((x) => !seen.has(x.a) && seen.add(x.a));
    return uniq.length ? `(${uniq.map((x) => `${x.a} -> S${x.t}`).join(' | ')})` : 'STOP';
  };
  return `${property ? 'property ' : ''}${name} = S0,\n${states.map((alts, i) => `  S${i} = ${body(alts)}`).join(',\n')}.\n`;
}

const specArb = fc.record({
  p1: procArb(ACTS),
  p2: procArb(ACTS),
  safe: procArb(ACTS),
  ctrl: fc.subarray(ACTS),
  mark: fc.option(fc.subarray(ACTS, { minLength: 1 }), { nil: null }),
});

function goalOf(ev: Evaluator, r: SynthesisResult): PlantGoal {
  const n = ev.actions.names.length;
  const controllable = new Uint8Array(n);
  const marking = r.goal.marking ? new Uint8Array(n) : null;
  for (let a = 1; a < n; a++) {
    if (r.goal.controllable.some((c) => underPrefix(ev.actions.name(a), c))) controllable[a] = 1;
    if (marking && r.goal.marking!.some((m) => underPrefix(ev.actions.name(a), m))) marking[a] = 1;
  }
  return { lts: r.plant, controllable, marking };
}

function synthesiseText(src: string, name: string): { ev: Evaluator; result: SynthesisResult; error: unknown } {
  const ev = new Evaluator(parseFsp(src, 'random.lts'));
  let error: unknown = null;
  try {
    ev.lts(name);
  } catch (err) {
    error = err;
  }
  return { ev, result: ev.syntheses.get(name)!, error };
}

describe('controllers synthesised from FSP specifications', () => {
  it('random plants and specs: the controller is safe, controllable, non-blocking and maximally permissive', () => {
    fc.assert(
      fc.property(specArb, ({ p1, p2, safe, ctrl, mark }) => {
        const src = [
          procText('P1', p1),
          procText('P2', p2),
          procText('SAFE', safe, true),
          `controllerSpec G = {\n  safety = {SAFE}\n  controllable = {${ctrl.join(', ')}}\n${mark ? `  marking = {${mark.join(', ')}}\n  nonblocking\n` : ''}}\n`,
          'controller ||C = (P1 || P2)~{G}.\n',
        ].join('\n');
        const { ev, result, error } = synthesiseText(src, 'C');
        expect(result, src).toBeDefined();
        const goal = goalOf(ev, result);
        fc.pre(goal.lts.nStates <= 12);
        const brute = bruteForceSupremum(goal);
        if (!brute[0]) {
          expect(error).toMatchObject({
            code: 'DESIGN_FSP_NO_CONTROLLER',
            message: expect.stringContaining('Counter-example'),
          });
          return;
        }
        expect(error).toBeNull();
        expect(Array.from(result.supervisor.winning, (w) => w === 1)).toEqual(brute);
        expect(exploreController(goal, result.supervisor)).toEqual([]);
      }),
      { numRuns: 250 },
    );
  });

  it.each([
    ['video-release.lts', 'Controller'],
    ['production-cell.lts', 'CellController'],
    ['device-onboarding.lts', 'OnboardingController'],
  ])('examples/%s: exploring %s finds no forbidden, disabled-uncontrollable or blocking state', (file, name) => {
    const { ev, result, error } = synthesiseText(readFileSync(join(REPO_ROOT, 'examples', file), 'utf8'), name);
    expect(error).toBeNull();
    const goal = goalOf(ev, result);
    expect(exploreController(goal, result.supervisor)).toEqual([]);
    expect(Array.from(result.supervisor.winning, (w) => w === 1)).toEqual(bruteForceSupremum(goal));
    // Each example actually restricts its plant: some controllable move is disabled.
    expect(result.controller!.labels.length).toBeLessThan(result.plant.labels.length);
  });
});
