import type { Decl, Fltl } from './ast.ts';
import { bind, EMPTY_ENV, type Env, type Scope } from './eval-values.ts';
import { and, FALSE, key, or, prog, type Tf } from './fltl-progress.ts';
import { ERROR_STATE, IntVec, fromEdges, stateLimit, type ActionTable, type Lts } from './lts.ts';

/** A fluent instance: true after an `on` action, false after an `off` action. */
interface FluentInst {
  on: Set<string>;
  off: Set<string>;
  initially: boolean;
}

type Prop = (v: Uint8Array) => boolean;

/**
 * An `ltl_property` in the safety fragment of FLTL (propositions over fluents, actions and
 * assertions; `[]`, `X`, `W`, and `<>`/`U` under a negation; quantifiers over finite domains
 * expanded) becomes a safety LTS: its states are the reachable pairs (fluent valuation, formula
 * still to satisfy, by progression); an action of its alphabet after which the formula is false
 * leads to ERROR. An action used as a proposition holds at its own step only; `X` is the next action
 * of the property's alphabet (MTSA's alphabetised next). Liveness (`<>`, `U` unnegated) is refused.
 */
export function fltlSafety(
  scope: Scope,
  actions: ActionTable,
  decl: Extract<Decl, { f: Fltl }>,
  maxStates: number,
): Lts {
  if (decl.binders.length)
    scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: indexed properties are not supported`, decl.pos);
  const fluents: FluentInst[] = [];
  const fluentIndex = new Map<string, number>();
  const actionAtoms = new Map<string, number>();
  const busy = new Set<string>();

  const fluentSlot = (key: string, inst: () => FluentInst) => {
    let i = fluentIndex.get(key);
    if (i === undefined) {
      i = fluents.length;
      fluents.push(inst());
      fluentIndex.set(key, i);
    }
    return i;
  };

  const compile = (f: Fltl, env: Env): Prop => {
    switch (f.k) {
      case 'bool':
        return () => f.v;
      case 'not': {
        const e = compile(f.e, env);
        return (v) => !e(v);
      }
      case 'bin': {
        const l = compile(f.l, env);
        const r = compile(f.r, env);
        if (f.op === '&&') return (v) => l(v) && r(v);
        if (f.op === '||') return (v) => l(v) || r(v);
        if (f.op === '->') return (v) => !l(v) || r(v);
        if (f.op === '<->') return (v) => l(v) === r(v);
        return scope.fail(
          'UNSUPPORTED',
          `ltl_property ${decl.name}: the temporal operator ${f.op} is not supported inside []φ (safety over fluents and actions only)`,
          decl.pos,
        );
      }
      case 'quant': {
        const parts = scope.domain(f.dom, env).map((val) => compile(f.e, bind(env, f.v, val)));
        return f.q === 'exists' ? (v) => parts.some((p) => p(v)) : (v) => parts.every((p) => p(v));
      }
      case 'always':
      case 'eventually':
      case 'next':
        return scope.fail(
          'UNSUPPORTED',
          `ltl_property ${decl.name}: nested temporal operators are not supported inside []φ (safety over fluents and actions only)`,
          decl.pos,
        );
      case 'atom':
        return atom(f, env);
    }
  };

  const atom = (f: Extract<Fltl, { k: 'atom' }>, env: Env): Prop => {
    const idx = f.idx.map((e) => scope.expr(e, env));
    const d = scope.others.get(f.name);
    if (d?.kind === 'fluent') {
      if (d.binders.length !== idx.length)
        scope.fail('ARITY', `fluent ${f.name} takes ${d.binders.length} indices, ${idx.length} given`, f.pos);
      const key = [f.name, ...idx].join('.');
      const i = fluentSlot(key, () => {
        let fenv: Env = EMPTY_ENV;
        d.binders.forEach((b, k) => (fenv = bind(fenv, b.v, idx[k]!)));
        return {
          on: new Set(scope.actSet(d.on, fenv)),
          off: new Set(scope.actSet(d.off, fenv)),
          initially: d.initially ? scope.int(d.initially, fenv) !== 0 : false,
        };
      });
      return (v) => v[i] === 1;
    }
    if (d?.kind === 'assert') {
      if (busy.has(f.name)) scope.fail('CYCLE', `assertion ${f.name} refers to itself`, f.pos);
      busy.add(f.name);
      const p = compile(d.f, env);
      busy.delete(f.name);
      return p;
    }
    if (d)
      return scope.fail(
        'UNSUPPORTED',
        `ltl_property ${decl.name}: ${f.name} is a ${d.kind}, not a fluent, assertion or action`,
        f.pos,
      );
    const set = scope.decls.get(f.name);
    const names = set?.kind === 'set' ? scope.setNamed(f.name, f.pos) : [[f.name, ...idx].join('.')];
    const slots = names.map((a) => {
      let i = actionAtoms.get(a);
      if (i === undefined) {
        i = fluentSlot(`action:${a}`, () => ({ on: new Set([a]), off: new Set(), initially: false }));
        actionAtoms.set(a, i);
      }
      return i;
    });
    return (v) => slots.some((i) => v[i] === 1);
  };

  // Propositional subformulas become opaque propositions of the temporal formula.
  const props: Prop[] = [];
  const propOf = (p: Prop): Tf => ({ k: 'p', id: props.push(p) - 1 });
  const isProp = (f: Fltl): boolean => {
    switch (f.k) {
      case 'bool':
        return true;
      case 'not':
        return isProp(f.e);
      case 'bin':
        return ['&&', '||', '->', '<->'].includes(f.op) && isProp(f.l) && isProp(f.r);
      case 'quant':
        return isProp(f.e);
      case 'atom': {
        const d = scope.others.get(f.name);
        if (d?.kind !== 'assert' || busy.has(f.name)) return true;
        busy.add(f.name);
        const r = isProp(d.f);
        busy.delete(f.name);
        return r;
      }
      default:
        return false;
    }
  };
  const liveness = (what: string): never =>
    scope.fail(
      'UNSUPPORTED',
      `ltl_property ${decl.name}: ${what} is a liveness requirement; only safety formulas are supported (use [], X, W)`,
      decl.pos,
    );
  const temporal = (f: Fltl, env: Env, neg: boolean): Tf => {
    if (isProp(f)) {
      const p = compile(f, env);
      return propOf(neg ? (v) => !p(v) : p);
    }
    switch (f.k) {
      case 'not':
        return temporal(f.e, env, !neg);
      case 'always':
        return neg ? liveness('<> (a negated [])') : { k: 'G', e: temporal(f.e, env, false) };
      case 'eventually':
        return neg ? { k: 'G', e: temporal(f.e, env, true) } : liveness('<>');
      case 'next':
        return { k: 'X', e: temporal(f.e, env, neg) };
      case 'quant': {
        const parts = scope.domain(f.dom, env).map((val) => temporal(f.e, bind(env, f.v, val), neg));
        return (f.q === 'exists') !== neg ? or(parts) : and(parts);
      }
      case 'atom': {
        const d = scope.others.get(f.name);
        if (d?.kind !== 'assert') return scope.fail('EVAL', `unexpected atom ${f.name}`, f.pos);
        busy.add(f.name);
        const r = temporal(d.f, env, neg);
        busy.delete(f.name);
        return r;
      }
      case 'bin': {
        const { l, r } = f;
        switch (f.op) {
          case '&&':
            return neg
              ? or([temporal(l, env, true), temporal(r, env, true)])
              : and([temporal(l, env, false), temporal(r, env, false)]);
          case '||':
            return neg
              ? and([temporal(l, env, true), temporal(r, env, true)])
              : or([temporal(l, env, false), temporal(r, env, false)]);
          case '->':
            return neg
              ? and([temporal(l, env, false), temporal(r, env, true)])
              : or([temporal(l, env, true), temporal(r, env, false)]);
          case '<->':
            return temporal(
              { k: 'bin', op: '&&', l: { k: 'bin', op: '->', l, r }, r: { k: 'bin', op: '->', l: r, r: l } },
              env,
              neg,
            );
          case 'W':
            return neg ? liveness('a negated W') : { k: 'W', l: temporal(l, env, false), r: temporal(r, env, false) };
          case 'U':
            // !(l U r) = !r W (!l && !r)
            return neg
              ? { k: 'W', l: temporal(r, env, true), r: and([temporal(l, env, true), temporal(r, env, true)]) }
              : liveness('U');
          case 'R':
            // l R r = r W (l && r)
            return neg
              ? liveness('a negated R')
              : { k: 'W', l: temporal(r, env, false), r: and([temporal(l, env, false), temporal(r, env, false)]) };
        }
        return scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: operator ${f.op}`, decl.pos);
      }
      default:
        return scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: unsupported formula`, decl.pos);
    }
  };
  const goal = temporal(decl.f, EMPTY_ENV, false);
  const alphabet = new Set<string>();
  for (const fl of fluents) for (const a of [...fl.on, ...fl.off]) alphabet.add(a);
  // An action proposition is false after any other action of the alphabet.
  for (const [a, i] of actionAtoms) for (const b of alphabet) if (b !== a) fluents[i]!.off.add(b);
  const alpha = [...alphabet].sort();
  const ids = alpha.map((a) => actions.id(a));

  const actionSlots = [...actionAtoms.values()];
  const states: { v: Uint8Array; f: Tf }[] = [
    { v: Uint8Array.from(fluents.map((f, i) => (f.initially && !actionSlots.includes(i) ? 1 : 0))), f: goal },
  ];
  const index = new Map<string, number>([[`${states[0]!.v.join('')}|${key(goal)}`, 0]]);
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  for (let s = 0; s < states.length; s++) {
    alpha.forEach((a, k) => {
      const v = states[s]!.v.slice();
      fluents.forEach((fl, i) => {
        if (fl.on.has(a)) v[i] = 1;
        else if (fl.off.has(a)) v[i] = 0;
      });
      const rest = prog(states[s]!.f, (id) => props[id]!(v));
      let to = ERROR_STATE;
      if (rest !== FALSE && rest.k !== 'f') {
        // Action propositions hold only at the moment of the action: they are not state.
        for (const i of actionSlots) v[i] = 0;
        const k2 = `${v.join('')}|${key(rest)}`;
        const hit = index.get(k2);
        if (hit !== undefined) to = hit;
        else {
          if (states.length >= maxStates) throw stateLimit(decl.name, states.length, maxStates);
          to = states.length;
          index.set(k2, to);
          states.push({ v, f: rest });
        }
      }
      s2.push(s);
      l2.push(ids[k]!);
      d2.push(to);
    });
  }
  return fromEdges(decl.name, actions, states.length, s2.view(), l2.view(), d2.view(), ids);
}
