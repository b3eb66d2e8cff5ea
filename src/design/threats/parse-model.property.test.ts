import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadKb } from '../kb/kb.ts';
import { COMPONENT_TAGS } from '../kb/vocabulary.ts';
import { analyze, openAtLeast } from './analyze.ts';
import { parseModel } from './parse-model.ts';
import { RISK_LEVELS } from './risk.ts';

const kb = loadKb();
const PROTOCOLS = [...kb.protocols.keys()];
const CMS = kb.entries.filter((e) => e.category === 'solution' && e.type === 'instance').map((e) => e.id);
const KB_PROBLEMS = kb.problems.map((p) => p.id);

/** A model whose references are drawn from small pools, so some resolve and some do not. */
const looseModel = fc.record({
  model: fc.constantFrom('m', 'x-1', '9bad'),
  actors: fc.array(
    fc.record({
      id: fc.constantFrom('a1', 'a2', 'c1'),
      name: fc.string({ maxLength: 8 }),
      role: fc.constantFrom('user', 'misuser'),
    }),
    { maxLength: 3 },
  ),
  assets: fc.array(
    fc.record({
      id: fc.constantFrom('d1', 'd2'),
      name: fc.constant('D'),
      classification: fc.constantFrom('personal', 'sensitive', 'public', 'secret'),
      storedIn: fc.array(fc.constantFrom('c1', 'c2', 'zz'), { maxLength: 2 }),
    }),
    { maxLength: 2 },
  ),
  components: fc.array(
    fc.record(
      {
        id: fc.constantFrom('c1', 'c2', 'c3'),
        name: fc.constant('C'),
        kind: fc.constantFrom('msec', 'external'),
        module: fc.constantFrom('hub', 'device'),
        element: fc.constantFrom('process', 'datastore'),
        tags: fc.subarray([...COMPONENT_TAGS, 'toaster'], { maxLength: 3 }),
      },
      { requiredKeys: ['id', 'name', 'kind'] },
    ),
    { maxLength: 4 },
  ),
  flows: fc.array(
    fc.record({
      id: fc.constantFrom('f1', 'f2', 'f3'),
      from: fc.constantFrom('a1', 'c1', 'c2', 'nope'),
      to: fc.constantFrom('c1', 'c2', 'c3', 'd1'),
      protocol: fc.constantFrom(...PROTOCOLS, 'pigeon'),
      data: fc.array(fc.constantFrom('d1', 'd2', 'zz'), { maxLength: 2 }),
    }),
    { maxLength: 4 },
  ),
  misuseCases: fc.array(
    fc.record({
      id: fc.constantFrom('m1', 'm2'),
      name: fc.constant('M'),
      misuser: fc.constantFrom('a1', 'a2', 'eve'),
      threatens: fc.array(fc.constantFrom('c1', 'd1', 'f1', 'x'), { minLength: 1, maxLength: 2 }),
      mitigatedBy: fc.array(fc.constantFrom('k1', 'k9'), { maxLength: 2 }),
      kb: fc.array(fc.constantFrom('CAPEC-94', 'CWE-319', 'CAPEC-99999'), { maxLength: 2 }),
    }),
    { maxLength: 2 },
  ),
  controls: fc.array(
    fc.record({
      id: fc.constantFrom('k1', 'k2'),
      name: fc.constant('K'),
      countermeasure: fc.constantFrom('CM-tls', 'CM-anonymizer', 'CM-nope'),
      implementedBy: fc.constantFrom('c1', 'c2', 'd1'),
    }),
    { maxLength: 2 },
  ),
});

function checkDiagnostics(text: string, file: string) {
  const r = parseModel(text, file);
  const lines = text.split('\n').length;
  if (r.model) expect(r.diagnostics).toEqual([]);
  else expect(r.diagnostics.length).toBeGreaterThan(0);
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^DESIGN_[A-Z_]+$/);
    expect(d.file).toBe(file);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines + 1);
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.message.length).toBeGreaterThan(0);
  }
  return r;
}

describe('parseModel properties', () => {
  it('never throws on arbitrary text; every problem has a code, a file and a line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => void checkDiagnostics(text, 'any.yaml')),
      { numRuns: 300 },
    );
  });

  it('never throws on random structured models; a reference error points at the line holding the bad reference', () => {
    fc.assert(
      fc.property(looseModel, (m) => {
        const text = stringify(m);
        const r = checkDiagnostics(text, 'loose.yaml');
        for (const d of r.diagnostics) {
          const ref = /(?:from|to|storedIn|data|misuser|threatens|mitigatedBy|implementedBy) "([^"]+)"/.exec(d.message);
          if (/_UNKNOWN_/.test(d.code) && ref) expect(text.split('\n')[d.line - 1], d.message).toContain(ref[1]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated example text (deleted and duplicated lines)', () => {
    const base = stringify({
      model: 'm',
      components: [
        { id: 'c1', name: 'C', kind: 'msec', module: 'hub', tags: ['api'] },
        { id: 'c2', name: 'S', kind: 'external', element: 'datastore' },
      ],
      flows: [{ id: 'f', from: 'c1', to: 'c2', protocol: 'sql' }],
    }).split('\n');
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(base.length), op: fc.constantFrom('del', 'dup', 'indent') }), { maxLength: 4 }),
        (ops) => {
          const lines = [...base];
          for (const { at, op } of ops) {
            const i = Math.min(at, lines.length - 1);
            if (op === 'del') lines.splice(i, 1);
            else if (op === 'dup') lines.splice(i, 0, lines[i] ?? '');
            else lines[i] = ` ${lines[i] ?? ''}`;
          }
          checkDiagnostics(lines.join('\n'), 'mutated.yaml');
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Always-consistent models: flows start at a process, references only to defined ids. */
const validModel = fc
  .record({
    nComp: fc.integer({ min: 1, max: 6 }),
    nActors: fc.integer({ min: 0, max: 3 }),
    elements: fc.array(fc.constantFrom('process', 'datastore'), { minLength: 6, maxLength: 6 }),
    tags: fc.array(fc.subarray([...COMPONENT_TAGS], { maxLength: 3 }), { minLength: 6, maxLength: 6 }),
    classes: fc.array(fc.constantFrom('personal', 'sensitive', 'public'), { minLength: 2, maxLength: 2 }),
    flows: fc.array(
      fc.record({ to: fc.nat(20), protocol: fc.constantFrom(...PROTOCOLS), data: fc.subarray(['d0', 'd1']) }),
      { maxLength: 8 },
    ),
    boundaryOf: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 9, maxLength: 9 }),
    controls: fc.array(
      fc.record({
        cm: fc.constantFrom(...CMS),
        by: fc.nat(20),
        protects: fc.option(fc.subarray(['c0', 'c1', 'f0', 'd0']), { nil: undefined }),
      }),
      { maxLength: 6 },
    ),
    misuse: fc.array(fc.record({ kb: fc.subarray(KB_PROBLEMS.slice(0, 30), { maxLength: 2 }), controls: fc.nat(7) }), {
      maxLength: 3,
    }),
  })
  .map((g) => {
    const comps = Array.from({ length: g.nComp }, (_, i) => ({
      id: `c${i}`,
      name: `Component ${i}`,
      kind: 'external',
      element: i === 0 ? 'process' : g.elements[i]!,
      tags: g.tags[i]!,
    }));
    const actors = Array.from({ length: g.nActors }, (_, i) => ({ id: `a${i}`, name: `Actor ${i}` }));
    const ends = [...comps.map((c) => c.id), ...actors.map((a) => a.id)];
    const flows = g.flows
      .map((f, i) => ({ id: `f${i}`, from: 'c0', to: ends[f.to % ends.length]!, protocol: f.protocol, data: f.data }))
      .filter((f) => f.to !== 'c0');
    const members = [...comps.map((c) => c.id), ...actors.map((a) => a.id)];
    const boundaries = [0, 1, 2]
      .map((b) => ({ id: `b${b}`, name: `B${b}`, members: members.filter((_, i) => g.boundaryOf[i] === b) }))
      .filter((b) => b.members.length > 0);
    const ids = new Set([...members, ...flows.map((f) => f.id), 'd0', 'd1']);
    const controls = g.controls.map((c, i) => ({
      id: `k${i}`,
      name: `Control ${i}`,
      countermeasure: c.cm,
      implementedBy: comps[c.by % comps.length]!.id,
      ...(c.protects ? { protects: c.protects.filter((p) => ids.has(p)) } : {}),
    }));
    return {
      model: 'generated',
      actors: [...actors, { id: 'eve', name: 'Eve', role: 'misuser' }],
      assets: [
        { id: 'd0', name: 'D0', classification: g.classes[0] },
        { id: 'd1', name: 'D1', classification: g.classes[1] },
      ],
      components: comps,
      boundaries,
      flows,
      misuseCases: g.misuse.map((m, i) => ({
        id: `m${i}`,
        name: `Misuse ${i}`,
        misuser: 'eve',
        threatens: ['c0'],
        mitigatedBy: controls.slice(0, m.controls % (controls.length + 1)).map((c) => c.id),
        kb: m.kb,
      })),
      controls,
    };
  });

describe('analysis properties', () => {
  it('consistent models parse cleanly and their analysis is self-consistent', () => {
    fc.assert(
      fc.property(validModel, (m) => {
        const r = parseModel(stringify(m), 'gen.yaml');
        expect(r.diagnostics).toEqual([]);
        const a = analyze(r.model!, kb);
        expect(new Set(a.threats.map((t) => t.id)).size).toBe(a.threats.length);
        for (const t of a.threats) {
          expect(t.status === 'mitigated').toBe(t.mitigatedBy.length > 0);
          const entry = kb.get(t.kbId)!;
          for (const c of t.mitigatedBy) expect(entry.countermeasures).toContain(c.countermeasure);
          if (t.status === 'open')
            expect(t.suggestions.map((s) => s.countermeasure).sort()).toEqual([...entry.countermeasures!].sort());
          expect(RISK_LEVELS).toContain(t.rating.risk);
        }
        expect(a.summary.open + a.summary.mitigated).toBe(a.threats.length);
        // STRIDE per element: flows get T, I, D; actors S, R; data stores T, R, I, D; processes all six
        const expected = { flow: 'TID', external: 'SR', datastore: 'TRID', process: 'STRIDE' };
        for (const e of a.elements)
          expect(
            a.stride
              .filter((c) => c.element === e.id)
              .map((c) => c.letter)
              .join(''),
          ).toBe(expected[e.kind]);
        // misusers are threat agents, not elements
        expect(a.elements.some((e) => e.id === 'eve')).toBe(false);
        // the gate is monotonic in the level
        const counts = RISK_LEVELS.map((l) => openAtLeast(a, l).length);
        expect([...counts].sort((x, y) => y - x)).toEqual(counts);
        expect(counts[0]).toBe(a.summary.open);
      }),
      { numRuns: 150 },
    );
  });
});
