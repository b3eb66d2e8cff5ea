import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Evaluator } from './evaluate.ts';
import { parseFsp } from './parser.ts';

function build(src: string, name: string, maxStates?: number) {
  return new Evaluator(parseFsp(src, 'spec.lts'), maxStates ? { maxStates } : {}).lts(name);
}

function traces(l: ReturnType<typeof build>, depth: number): Set<string> {
  const out = new Set<string>();
  const walk = (s: number, prefix: string[], d: number) => {
    out.add(prefix.join(' '));
    if (d === 0 || s < 0) return;
    for (let e = l.offsets[s]!; e < l.offsets[s + 1]!; e++)
      walk(l.targets[e]!, [...prefix, l.actions.name(l.labels[e]!)], d - 1);
  };
  walk(0, [], depth);
  return out;
}

describe('FSP parser and evaluation', () => {
  it('reports syntax errors with file, line, column and a stable code', () => {
    expect(() => parseFsp('P = (a -> b -> P\n  | c -> ).', 'x.lts')).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_SYNTAX', message: expect.stringMatching(/^x\.lts:2:10: expected/) }),
    );
    expect(() => parseFsp('P = (a -> P)', 'x.lts')).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_SYNTAX', message: expect.stringContaining('"." at the end') }),
    );
    expect(() => parseFsp('/* never closed', 'x.lts')).toThrow(expect.objectContaining({ code: 'DESIGN_FSP_SYNTAX' }));
    expect(() => parseFsp('P = (a -> P) # .', 'x.lts')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('1:14') }),
    );
  });

  it('refuses undefined processes and constants, and recursion without progress', () => {
    expect(() => build('P = (a -> Q).', 'P')).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_UNDEFINED', message: expect.stringContaining('"Q"') }),
    );
    expect(() => build('P = (a[N] -> P).', 'P')).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_UNDEFINED', message: expect.stringContaining('"N"') }),
    );
    expect(() => build('P = Q, Q = P.', 'P')).toThrow(expect.objectContaining({ code: 'DESIGN_FSP_NO_PROGRESS' }));
    expect(() => build('||S = (S || P).\nP = (a -> P).', 'S')).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_CYCLE' }),
    );
  });

  it('evaluates constants, ranges, indexed processes, guards and local processes', () => {
    const l = build(
      'const N = 2\nCOUNT = C[0],\nC[i:0..N] = (when (i<N) inc -> C[i+1] | when (i>0) dec -> C[i-1]).',
      'COUNT',
    );
    expect(l.nStates).toBe(3);
    expect(traces(l, 3)).toContain('inc inc dec');
    expect(traces(l, 3)).not.toContain('dec');
  });

  it('composes with synchronisation on shared actions, relabelling, hiding and interfaces', () => {
    const src =
      'BUFF = (in[i:0..1] -> out[i] -> BUFF).\n||TWO = (a:BUFF || b:BUFF)/{in/a.in, a.out/b.in, out/b.out}@{in,out}.';
    const l = build(src, 'TWO');
    const t = traces(l, 4);
    expect(t).toContain('in.0 tau out.0');
    expect(t).toContain('in.0 tau in.1 out.0');
    expect([...t].some((x) => x.startsWith('out'))).toBe(false);
  });

  it('makes property processes total over their alphabet with ERROR', () => {
    const l = build('property P = (a -> b -> P).', 'P');
    let toError = 0;
    for (let e = 0; e < l.targets.length; e++) if (l.targets[e] === -1) toError++;
    expect(toError).toBe(2); // b first, a twice
  });

  it('applies a state limit to primitive processes with a clear message', () => {
    expect(() => build('P = Q[0],\nQ[i:0..100000] = (a -> Q[i+1]).', 'P', 1000)).toThrow(
      expect.objectContaining({ code: 'DESIGN_FSP_STATE_LIMIT' }),
    );
  });

  it('round-trips any deterministic LTS printed as FSP local processes (same traces)', () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 5 }),
      edges: fc.array(fc.record({ s: fc.nat(4), a: fc.constantFrom('a', 'b', 'c.d', 'e[1]'), t: fc.nat(4) }), {
        maxLength: 10,
      }),
    });
    fc.assert(
      fc.property(arb, ({ n, edges }) => {
        const byState = new Map<number, Map<string, number>>();
        for (const e of edges) {
          const m = byState.get(e.s % n) ?? new Map<string, number>();
          if (!m.has(e.a)) m.set(e.a, e.t % n);
          byState.set(e.s % n, m);
        }
        const body = (s: number) => {
          const m = byState.get(s);
          return m && m.size ? `(${[...m].map(([a, t]) => `${a} -> S${t}`).join(' | ')})` : 'STOP';
        };
        const src = `P = S0,\n${Array.from({ length: n }, (_, s) => `S${s} = ${body(s)}`).join(',\n')}.`;
        const l = build(src, 'P');
        // Traces of depth 4 computed straight from the edge map.
        const want = new Set<string>();
        const walk = (s: number, prefix: string[], d: number) => {
          want.add(prefix.join(' '));
          if (d === 0) return;
          for (const [a, t] of byState.get(s) ?? []) walk(t, [...prefix, a.replace('[1]', '.1')], d - 1);
        };
        walk(0, [], 4);
        expect(traces(l, 4)).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('never crashes on mangled input: it parses, or fails with a DESIGN_FSP_ code and a position inside the text', () => {
    const seeds = [
      'const N = 2\nrange R = 0..N\nP = (a[i:R] -> when (i>0) b -> P | c -> STOP) + {x}.\n||S = (p:P || {q,r}::P)/{z/c} \\ {b}.\n',
      'set C = {go, stop}\nE = (req -> (go -> E | fail -> ERROR)).\nproperty S = (req -> go -> S).\nfluent F = <go, req>\nltl_property L = [](stop -> F)\ncontrollerSpec G = {\n safety = {S, L}\n controllable = {C}\n marking = {go}\n nonblocking\n}\ncontroller ||K = E~{G}.\n',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.nat(400),
        fc.nat(400),
        fc.string({ maxLength: 4 }),
        (seed, at0, len, ins) => {
          const at = at0 % (seed.length + 1);
          const src = seed.slice(0, at) + ins + seed.slice(Math.min(seed.length, at + (len % 6)));
          try {
            const spec = parseFsp(src, 'f.lts');
            expect(Array.isArray(spec.decls)).toBe(true);
            // What parses also evaluates to an LTS or a DESIGN_FSP_ error, never a crash.
            const ev = new Evaluator(spec, { maxStates: 2000 });
            for (const t of ev.targets()) {
              try {
                expect(ev.lts(t.name).nStates).toBeGreaterThan(0);
              } catch (err) {
                expect((err as { code?: string }).code, String(err)).toMatch(/^DESIGN_FSP_/);
              }
            }
          } catch (err) {
            const e = err as { code?: string; details?: { line?: number } };
            expect(e.code).toMatch(/^DESIGN_FSP_/);
            expect(e.details?.line ?? 1).toBeLessThanOrEqual(src.split('\n').length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
