import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compose } from './compose.ts';
import { ActionTable, ERROR_STATE, TAU, fromEdges, type Lts } from './lts.ts';

/** The textbook definition, written independently: tuples as strings, shared actions synchronise. */
function naiveCompose(parts: Lts[]): { states: number; transitions: number } {
  const alpha = parts.map((p) => new Set(p.alphabet));
  const allActions = new Set(parts.flatMap((p) => [...p.alphabet]));
  const seen = new Map<string, number>();
  const queue: number[][] = [parts.map(() => 0)];
  seen.set(queue[0]!.join(','), 0);
  let transitions = 0;
  const succ = (p: Lts, s: number, a: number) => {
    const out: number[] = [];
    for (let e = p.offsets[s]!; e < p.offsets[s + 1]!; e++) if (p.labels[e] === a) out.push(p.targets[e]!);
    return out;
  };
  const visit = (t: number[]) => {
    transitions++;
    if (t.includes(ERROR_STATE)) return;
    const k = t.join(',');
    if (!seen.has(k)) {
      seen.set(k, seen.size);
      queue.push(t);
    }
  };
  for (let i = 0; i < queue.length; i++) {
    const cur = queue[i]!;
    parts.forEach((p, j) => succ(p, cur[j]!, TAU).forEach((t) => visit(cur.map((x, k) => (k === j ? t : x)))));
    for (const a of allActions) {
      let tuples: number[][] = [cur];
      for (let j = 0; j < parts.length; j++) {
        if (!alpha[j]!.has(a)) continue;
        const ts = succ(parts[j]!, cur[j]!, a);
        tuples = tuples.flatMap((tu) => ts.map((t) => tu.map((x, k) => (k === j ? t : x))));
      }
      // An action moves only when every component that knows it can move.
      const someKnows = alpha.some((s) => s.has(a));
      if (someKnows && !(tuples.length === 1 && tuples[0] === cur)) tuples.forEach(visit);
    }
  }
  return { states: seen.size, transitions };
}

const ltsArb = (actions: ActionTable) =>
  fc
    .record({
      n: fc.integer({ min: 1, max: 4 }),
      edges: fc.array(
        fc.record({ s: fc.nat(3), a: fc.integer({ min: 0, max: 3 }), t: fc.integer({ min: -1, max: 3 }) }),
        { maxLength: 8 },
      ),
      extra: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    })
    .map(({ n, edges, extra }) => {
      const es = edges.map((e) => ({ s: e.s % n, a: e.a, t: e.t < 0 ? ERROR_STATE : e.t % n }));
      return fromEdges(
        'P',
        actions,
        n,
        Int32Array.from(es.map((e) => e.s)),
        Int32Array.from(es.map((e) => e.a)),
        Int32Array.from(es.map((e) => e.t)),
        extra,
      );
    });

describe('parallel composition', () => {
  it('matches the textbook definition on random small LTSs (states and transitions)', () => {
    const actions = new ActionTable();
    ['a', 'b', 'c'].forEach((a) => actions.id(a));
    fc.assert(
      fc.property(fc.array(ltsArb(actions), { minLength: 2, maxLength: 3 }), (parts) => {
        const got = compose(parts, { maxStates: 10_000 });
        const want = naiveCompose(parts);
        expect(got.nStates).toBe(want.states);
        expect(got.labels.length).toBe(want.transitions);
      }),
      { numRuns: 300 },
    );
  });

  it('stops with DESIGN_FSP_STATE_LIMIT and the size reached instead of running out of memory', () => {
    const actions = new ActionTable();
    // n independent two-state toggles: 2^n states.
    const toggles = Array.from({ length: 20 }, (_, i) => {
      const a = actions.id(`t${i}`);
      return fromEdges(`T${i}`, actions, 2, Int32Array.from([0, 1]), Int32Array.from([a, a]), Int32Array.from([1, 0]));
    });
    expect(() => compose(toggles, { maxStates: 5000, name: 'TOGGLES' })).toThrow(
      expect.objectContaining({
        code: 'DESIGN_FSP_STATE_LIMIT',
        message: expect.stringContaining('5000 states reached'),
      }),
    );
  });

  it('handles products too large for a numeric tuple key (60 components sharing one action: 2 states)', () => {
    const actions = new ActionTable();
    const tick = actions.id('tick');
    const parts = Array.from({ length: 60 }, (_, i) =>
      fromEdges(`T${i}`, actions, 2, Int32Array.from([0, 1]), Int32Array.from([tick, tick]), Int32Array.from([1, 0])),
    );
    const l = compose(parts, { maxStates: 100 });
    expect(l.nStates).toBe(2);
    expect(l.labels.length).toBe(2);
  });
});
