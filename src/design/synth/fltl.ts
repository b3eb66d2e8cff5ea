import type { Decl, Fltl } from './ast.ts';
import { bind, EMPTY_ENV, type Env, type Scope } from './eval-values.ts';
import { ERROR_STATE, IntVec, fromEdges, stateLimit, type ActionTable, type Lts } from './lts.ts';

/** A fluent instance: true after an `on` action, false after an `off` action. */
interface FluentInst {
  on: Set<string>;
  off: Set<string>;
  initially: boolean;
}

type Prop = (v: Uint8Array) => boolean;

/**
 * `ltl_property P = []φ` with φ a propositional formula over fluents, actions and assertions
 * (quantifiers over finite domains expanded) becomes a safety LTS: its states are the reachable
 * fluent valuations; after each action of its alphabet φ must hold, else ERROR. An action used as a
 * proposition is the fluent "true just after it, false after any other action of the alphabet".
 * Temporal operators inside φ (X, U, W, <>, nested []) are refused.
 */
export function fltlSafety(scope: Scope, actions: ActionTable, decl: Extract<Decl, { f: Fltl }>, maxStates: number): Lts {
  if (decl.binders.length) scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: indexed properties are not supported`, decl.pos);
  if (decl.f.k !== 'always') scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: only safety formulas []φ are supported`, decl.pos);
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
        return scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: the temporal operator ${f.op} is not supported inside []φ (safety over fluents and actions only)`, decl.pos);
      }
      case 'quant': {
        const parts = scope.domain(f.dom, env).map((val) => compile(f.e, bind(env, f.v, val)));
        return f.q === 'exists' ? (v) => parts.some((p) => p(v)) : (v) => parts.every((p) => p(v));
      }
      case 'always':
      case 'eventually':
      case 'next':
        return scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: nested temporal operators are not supported inside []φ (safety over fluents and actions only)`, decl.pos);
      case 'atom':
        return atom(f, env);
    }
  };

  const atom = (f: Extract<Fltl, { k: 'atom' }>, env: Env): Prop => {
    const idx = f.idx.map((e) => scope.expr(e, env));
    const d = scope.others.get(f.name);
    if (d?.kind === 'fluent') {
      if (d.binders.length !== idx.length) scope.fail('ARITY', `fluent ${f.name} takes ${d.binders.length} indices, ${idx.length} given`, f.pos);
      const key = [f.name, ...idx].join('.');
      const i = fluentSlot(key, () => {
        let fenv: Env = EMPTY_ENV;
        d.binders.forEach((b, k) => (fenv = bind(fenv, b.v, idx[k]!)));
        return { on: new Set(scope.actSet(d.on, fenv)), off: new Set(scope.actSet(d.off, fenv)), initially: d.initially ? scope.int(d.initially, fenv) !== 0 : false };
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
    if (d) return scope.fail('UNSUPPORTED', `ltl_property ${decl.name}: ${f.name} is a ${d.kind}, not a fluent, assertion or action`, f.pos);
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

  const phi = compile(decl.f.e, EMPTY_ENV);
  const alphabet = new Set<string>();
  for (const fl of fluents) for (const a of [...fl.on, ...fl.off]) alphabet.add(a);
  // An action proposition is false after any other action of the alphabet.
  for (const [a, i] of actionAtoms) for (const b of alphabet) if (b !== a) fluents[i]!.off.add(b);
  const alpha = [...alphabet].sort();
  const ids = alpha.map((a) => actions.id(a));

  const states: Uint8Array[] = [Uint8Array.from(fluents.map((f, i) => (f.initially && ![...actionAtoms.values()].includes(i) ? 1 : 0)))];
  const index = new Map<string, number>([[states[0]!.join(''), 0]]);
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  for (let s = 0; s < states.length; s++) {
    alpha.forEach((a, k) => {
      const v = states[s]!.slice();
      fluents.forEach((fl, i) => {
        if (fl.on.has(a)) v[i] = 1;
        else if (fl.off.has(a)) v[i] = 0;
      });
      let to = ERROR_STATE;
      if (phi(v)) {
        // Action propositions hold only at the moment of the action: they are not state.
        for (const i of actionAtoms.values()) v[i] = 0;
        const key = v.join('');
        const hit = index.get(key);
        if (hit !== undefined) to = hit;
        else {
          if (states.length >= maxStates) throw stateLimit(decl.name, states.length, maxStates);
          to = states.length;
          index.set(key, to);
          states.push(v);
        }
      }
      s2.push(s);
      l2.push(ids[k]!);
      d2.push(to);
    });
  }
  return fromEdges(decl.name, actions, states.length, s2.view(), l2.view(), d2.view(), ids);
}
