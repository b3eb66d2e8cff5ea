import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLtsText, writeDot, writeLtsText } from './lts-text.ts';
import { ActionTable, fromEdges, type Lts } from './lts.ts';

function signature(l: Lts): string[] {
  const out: string[] = [];
  for (let s = 0; s < l.nStates; s++)
    for (let e = l.offsets[s]!; e < l.offsets[s + 1]!; e++)
      out.push(`${s} ${l.actions.name(l.labels[e]!)} ${l.targets[e]}`);
  return out.sort();
}

describe("MTSA's textual LTS form", () => {
  it('writes what it reads: random LTSs (states reachable from Q0) round-trip state for state', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 6 }),
      extra: fc.array(
        fc.record({ s: fc.nat(5), a: fc.constantFrom('go', 'stop', 'x.y', 'allow_A.1', 'p.2.q'), t: fc.nat(5) }),
        { maxLength: 10 },
      ),
    });
    fc.assert(
      fc.property(arb, ({ n, extra }) => {
        const actions = new ActionTable();
        // A spine 0 -> 1 -> … keeps every state reachable in BFS order.
        const es = [
          ...Array.from({ length: n - 1 }, (_, s) => ({ s, a: 'next', t: s + 1 })),
          ...extra.map((e) => ({ s: e.s % n, a: e.a, t: e.t % n })),
        ];
        const lts = fromEdges(
          'C',
          actions,
          n,
          Int32Array.from(es.map((e) => e.s)),
          Int32Array.from(es.map((e) => actions.id(e.a))),
          Int32Array.from(es.map((e) => e.t)),
        );
        const text = writeLtsText(lts);
        const back = readLtsText(text);
        expect(back.declaredStates).toBe(n);
        expect(back.lts.nStates).toBe(n);
        expect(signature(back.lts)).toEqual(signature(lts));
      }),
      { numRuns: 200 },
    );
  });

  it('prints numeric components as indices and groups actions with one target', () => {
    const actions = new ActionTable();
    const lts = fromEdges(
      'C',
      actions,
      2,
      Int32Array.from([0, 0, 1]),
      Int32Array.from([actions.id('enterAllowed.0'), actions.id('enterAllowed.1'), actions.id('reset')]),
      Int32Array.from([1, 1, 0]),
    );
    expect(writeLtsText(lts)).toContain('Q0\t= ({enterAllowed[0], enterAllowed[1]} -> Q1),');
    expect(writeLtsText(lts)).toContain('Q1\t= (reset -> Q0).');
  });

  it('reports errors in an MTSA output at the line of the file', () => {
    expect(() => readLtsText('Process:\n\tC\nStates:\n\t1\nTransitions:\n\tC = Q0,\n\tQ0 = (a -> ).', 'C.txt')).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^C\.txt:7:/) }),
    );
  });

  it('writes DOT with escaped labels and dashed uncontrollable moves', () => {
    const lts = readLtsText('C = (req -> work -> C).').lts;
    const dot = writeDot(lts, (a) => a === 'work');
    expect(dot).toMatch(/^digraph "C" \{/);
    expect(dot).toContain('Q0 -> Q1 [label="req", style=dashed];');
    expect(dot).toContain('Q1 -> Q0 [label="work"];');
  });
});
