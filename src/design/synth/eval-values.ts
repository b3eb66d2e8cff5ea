import type { ActSet, Decl, Domain, Expr, FspSpec, Label, LabelPart } from './ast.ts';
import { fspError, type FspErrorKind, type SourcePos } from './errors.ts';

/** A value in FSP: an integer or an action label such as "a.1". */
export type Value = number | string;
/** Variables bound by parameters, index binders, forall and foreach. */
export type Env = ReadonlyMap<string, Value>;
export const EMPTY_ENV: Env = new Map();

export function bind(env: Env, v: string, val: Value): Env {
  const next = new Map(env);
  next.set(v, val);
  return next;
}

/** Global constants, ranges and sets of a specification, evaluated on demand. */
export class Scope {
  /** Constants, ranges and sets (one namespace, as in FSP). */
  readonly decls = new Map<string, Decl>();
  /** Processes and composites. */
  readonly procs = new Map<string, Decl>();
  /** Everything else by name (fluents, assertions, specs), for lookups and messages. */
  readonly others = new Map<string, Decl>();
  private readonly constCache = new Map<string, Value>();
  private readonly setCache = new Map<string, string[]>();
  private readonly busy = new Set<string>();
  constructor(
    readonly spec: FspSpec,
    readonly file = spec.file,
  ) {
    for (const d of spec.decls) {
      const map =
        d.kind === 'const' || d.kind === 'range' || d.kind === 'set'
          ? this.decls
          : d.kind === 'process' || d.kind === 'composite'
            ? this.procs
            : this.others;
      // A repeated name keeps its first definition.
      if (!map.has(d.name)) map.set(d.name, d);
    }
  }
  fail(code: FspErrorKind, message: string, pos?: SourcePos): never {
    throw fspError(code, message, pos, this.file);
  }

  constValue(name: string, pos: SourcePos): Value {
    const hit = this.constCache.get(name);
    if (hit !== undefined) return hit;
    const d = this.decls.get(name);
    if (!d || d.kind !== 'const') return this.fail('UNDEFINED', `undefined constant or variable "${name}"`, pos);
    if (this.busy.has(name)) return this.fail('CYCLE', `constant "${name}" is defined in terms of itself`, pos);
    this.busy.add(name);
    const v = this.expr(d.e, EMPTY_ENV);
    this.busy.delete(name);
    this.constCache.set(name, v);
    return v;
  }

  expr(e: Expr, env: Env): Value {
    switch (e.k) {
      case 'num':
        return e.v;
      case 'label':
        return e.v;
      case 'name': {
        const v = env.get(e.name);
        return v !== undefined ? v : this.constValue(e.name, e.pos);
      }
      case 'un': {
        const v = this.int(e.e, env);
        return e.op === '-' ? -v : e.op === '!' ? (v ? 0 : 1) : v;
      }
      case 'bin': {
        if (e.op === '==' || e.op === '!=') {
          const eq = this.expr(e.l, env) === this.expr(e.r, env);
          return (e.op === '==') === eq ? 1 : 0;
        }
        const a = this.int(e.l, env);
        if (e.op === '&&') return a && this.int(e.r, env) ? 1 : 0;
        if (e.op === '||') return a || this.int(e.r, env) ? 1 : 0;
        const b = this.int(e.r, env);
        switch (e.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            if (b === 0) this.fail('EVAL', 'division by zero');
            return Math.trunc(a / b);
          case '%':
            if (b === 0) this.fail('EVAL', 'division by zero');
            return a % b;
          case '<':
            return a < b ? 1 : 0;
          case '<=':
            return a <= b ? 1 : 0;
          case '>':
            return a > b ? 1 : 0;
          case '>=':
            return a >= b ? 1 : 0;
          case '<<':
            return a << b;
          case '>>':
            return a >> b;
          case '&':
            return a & b;
          case '|':
            return a | b;
          case '^':
            return a ^ b;
        }
        return this.fail('EVAL', `unknown operator ${e.op}`);
      }
    }
  }
  int(e: Expr, env: Env): number {
    const v = this.expr(e, env);
    if (typeof v !== 'number')
      return this.fail('EVAL', `expected an integer but the label '${v} was given`, e.k === 'name' ? e.pos : undefined);
    return v;
  }

  /** Whether a bare upper-case name in an index means a whole range or set (not a variable or constant). */
  private isCollection(name: string, env: Env): boolean {
    if (env.has(name)) return false;
    const d = this.decls.get(name);
    return d?.kind === 'range' || d?.kind === 'set';
  }

  domain(d: Domain, env: Env): Value[] {
    if (d.k === 'range') return rangeValues(this.int(d.lo, env), this.int(d.hi, env), this);
    if (d.k === 'set') return this.labels(d.set, env).map(asValue);
    const decl = this.decls.get(d.name);
    if (decl?.kind === 'range') return rangeValues(this.int(decl.lo, EMPTY_ENV), this.int(decl.hi, EMPTY_ENV), this);
    if (decl?.kind === 'set') return this.setNamed(d.name, d.pos).map(asValue);
    return this.fail('UNDEFINED', `"${d.name}" is not a range or a set`, d.pos);
  }

  setNamed(name: string, pos: SourcePos): string[] {
    const hit = this.setCache.get(name);
    if (hit) return hit;
    const d = this.decls.get(name);
    if (!d || d.kind !== 'set') return this.fail('UNDEFINED', `undefined set "${name}"`, pos);
    if (this.busy.has(name)) return this.fail('CYCLE', `set "${name}" is defined in terms of itself`, pos);
    this.busy.add(name);
    const v = this.actSet(d.set, EMPTY_ENV);
    this.busy.delete(name);
    this.setCache.set(name, v);
    return v;
  }

  /** The action names of a set expression (order kept, duplicates dropped). */
  actSet(s: ActSet, env: Env): string[] {
    if (s.k === 'label') return this.labels(s.label, env);
    const drop = new Set(this.actSet(s.r, env));
    return this.actSet(s.l, env).filter((a) => !drop.has(a));
  }
  labels(l: Label, env: Env): string[] {
    return [...new Set(this.expandLabel(l, env).map((x) => x.name))];
  }

  /** Every action a label denotes, with the variables its binders `[i:R]` add. */
  expandLabel(l: Label, env: Env): { name: string; env: Env }[] {
    let acc: { name: string; env: Env }[] = [{ name: '', env }];
    for (const part of l.parts) {
      const next: { name: string; env: Env }[] = [];
      for (const a of acc)
        for (const step of this.partValues(part, a.env))
          next.push({ name: a.name ? `${a.name}.${step.v}` : String(step.v), env: step.env });
      acc = next;
      if (acc.length > 1_000_000) this.fail('STATE_LIMIT', 'a label expands to more than a million actions', l.pos);
    }
    return acc;
  }
  private partValues(p: LabelPart, env: Env): { v: Value; env: Env }[] {
    switch (p.k) {
      case 'id':
        return [{ v: p.name, env }];
      case 'idx':
        if (p.e.k === 'name' && this.isCollection(p.e.name, env))
          return this.domain({ k: 'name', name: p.e.name, pos: p.e.pos }, env).map((v) => ({ v, env }));
        return [{ v: this.expr(p.e, env), env }];
      case 'dom':
        return this.domain(p.dom, env).map((v) => ({ v, env }));
      case 'bind':
        return this.domain(p.dom, env).map((v) => ({ v, env: bind(env, p.v, v) }));
      case 'set':
        return p.items.flatMap((it) => this.actSet(it, env)).map((v) => ({ v, env }));
      case 'setname':
        return this.setNamed(p.name, p.pos).map((v) => ({ v, env }));
    }
  }
}

function rangeValues(lo: number, hi: number, scope: Scope): number[] {
  if (hi - lo > 1_000_000) scope.fail('STATE_LIMIT', `range ${lo}..${hi} has more than a million values`);
  const out: number[] = [];
  for (let v = lo; v <= hi; v++) out.push(v);
  return out;
}

/** Set members that are plain integers bind as integers, so `[t:S]` with S = {[0..3]} compares numerically. */
function asValue(s: string): Value {
  return /^-?\d+$/.test(s) ? Number(s) : s;
}
