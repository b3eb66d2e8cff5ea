import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileCondition, ConditionSyntaxError, parseCondition } from './condition.ts';

type Env = Record<string, boolean>;
const NAMES = ['sel1', 'sel2', 'filter_a', 'filter_b', '_hidden'];
const tests = new Map(NAMES.map((n) => [n, (env: Env) => env[n] === true]));
const run = (cond: string, env: Env): boolean => compileCondition(parseCondition(cond), tests)(env);

describe('condition parser', () => {
  it('binds not tighter than and, and tighter than or', () => {
    const env = { sel1: true, sel2: false, filter_a: true, filter_b: false };
    // or(sel2, and(sel1, not(filter_a))) = false; a left-to-right reading would say otherwise.
    expect(run('sel2 or sel1 and not filter_a', env)).toBe(false);
    expect(run('(sel2 or sel1) and not filter_b', env)).toBe(true);
    expect(run('not sel2 and sel1', env)).toBe(true);
    expect(run('not (sel1 and filter_a)', env)).toBe(false);
    expect(run('not not sel1', env)).toBe(true);
    expect(parseCondition('a or b and not c')).toEqual({
      t: 'or',
      items: [
        { t: 'id', name: 'a' },
        {
          t: 'and',
          items: [
            { t: 'id', name: 'b' },
            { t: 'not', item: { t: 'id', name: 'c' } },
          ],
        },
      ],
    });
  });

  it('1 of / all of a pattern or of them; them leaves out _ identifiers', () => {
    expect(run('1 of sel*', { sel2: true })).toBe(true);
    expect(run('all of sel*', { sel1: true })).toBe(false);
    expect(run('all of sel*', { sel1: true, sel2: true })).toBe(true);
    expect(run('1 of filter_* and not 1 of sel*', { filter_b: true })).toBe(true);
    expect(run('1 of them', { _hidden: true })).toBe(false);
    expect(run('all of them', { sel1: true, sel2: true, filter_a: true, filter_b: true })).toBe(true);
    expect(run('1 of _*', { _hidden: true })).toBe(true);
    expect(run('1 OF sel* AND NOT filter_a', { sel1: true })).toBe(true);
  });

  it('reports errors clearly', () => {
    const bad = [
      '',
      'sel1 and',
      '(sel1',
      'sel1)',
      'sel1 sel2',
      'and sel1',
      '1 sel*',
      '1 of and',
      'sel*',
      'sel1 | count() > 5',
      'sel1 & sel2',
    ];
    for (const c of bad) expect(() => compileCondition(parseCondition(c), tests), c).toThrow(ConditionSyntaxError);
    expect(() => run('nosuch', {})).toThrow(/unknown search identifier 'nosuch'/);
    expect(() => run('1 of zz*', {})).toThrow(/matches no search identifier/);
    expect(() => parseCondition('sel1 | count() > 5')).toThrow(/obsolete/);
  });

  type Ast =
    | { t: 'id'; name: string }
    | { t: 'not'; a: Ast }
    | { t: 'and' | 'or'; a: Ast; b: Ast }
    | { t: 'of'; all: boolean; pat: string };
  const ast: fc.Arbitrary<Ast> = fc.letrec<{ node: Ast }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...NAMES).map((name): Ast => ({ t: 'id', name })),
      fc
        .record({ all: fc.boolean(), pat: fc.constantFrom('sel*', 'filter_*', 'them', '*a*') })
        .map((r): Ast => ({ t: 'of', ...r })),
      tie('node').map((a): Ast => ({ t: 'not', a })),
      fc.record({ t: fc.constantFrom('and' as const, 'or' as const), a: tie('node'), b: tie('node') }),
    ),
  })).node;

  /** Print with the minimum parentheses the precedence needs, so the parser's precedence is exercised. */
  const prec = (n: Ast): number => (n.t === 'or' ? 1 : n.t === 'and' ? 2 : n.t === 'not' ? 3 : 4);
  const show = (n: Ast): string => {
    const wrap = (child: Ast, min: number): string => (prec(child) < min ? `(${show(child)})` : show(child));
    switch (n.t) {
      case 'id':
        return n.name;
      case 'of':
        return `${n.all ? 'all' : '1'} of ${n.pat}`;
      case 'not':
        return `not ${wrap(n.a, 3)}`;
      case 'and':
        return `${wrap(n.a, 2)} and ${wrap(n.b, 3)}`;
      case 'or':
        return `${wrap(n.a, 1)} or ${wrap(n.b, 2)}`;
    }
  };
  const covered = (pat: string): string[] => {
    if (pat === 'them') return NAMES.filter((n) => !n.startsWith('_'));
    const re = new RegExp('^' + pat.replace(/\*/g, '.*') + '$');
    return NAMES.filter((n) => re.test(n));
  };
  const direct = (n: Ast, env: Env): boolean => {
    switch (n.t) {
      case 'id':
        return env[n.name] === true;
      case 'not':
        return !direct(n.a, env);
      case 'and':
        return direct(n.a, env) && direct(n.b, env);
      case 'or':
        return direct(n.a, env) || direct(n.b, env);
      case 'of':
        return n.all ? covered(n.pat).every((c) => env[c] === true) : covered(n.pat).some((c) => env[c] === true);
    }
  };
  const envArb = fc.record(
    Object.fromEntries(NAMES.map((n) => [n, fc.boolean()])) as Record<string, fc.Arbitrary<boolean>>,
  );

  it('compiled conditions agree with a direct evaluator of the expression tree', () => {
    fc.assert(
      fc.property(ast, envArb, (tree, env) => {
        expect(run(show(tree), env)).toBe(direct(tree, env));
      }),
      { numRuns: 3000 },
    );
  });

  it('obeys the boolean algebra (De Morgan, double negation, distribution)', () => {
    fc.assert(
      fc.property(
        envArb,
        fc.constantFrom(...NAMES),
        fc.constantFrom(...NAMES),
        fc.constantFrom(...NAMES),
        (env, a, b, c) => {
          expect(run(`not (${a} and ${b})`, env)).toBe(run(`not ${a} or not ${b}`, env));
          expect(run(`not (${a} or ${b})`, env)).toBe(run(`not ${a} and not ${b}`, env));
          expect(run(`not not ${a}`, env)).toBe(env[a] === true);
          expect(run(`${a} and (${b} or ${c})`, env)).toBe(run(`${a} and ${b} or ${a} and ${c}`, env));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
