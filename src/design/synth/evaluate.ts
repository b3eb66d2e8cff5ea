import type { ActSet, CompExpr, CompositeDef, Decl, FspSpec, ProcessDef, ProcessOps, RelabelItem } from './ast.ts';
import { compose } from './compose.ts';
import { compilePrimitive } from './eval-process.ts';
import { fltlSafety } from './fltl.ts';
import { bind, EMPTY_ENV, Scope, type Env, type Value } from './eval-values.ts';
import { ActionTable, DEFAULT_MAX_STATES, type Lts } from './lts.ts';
import { synthesiseFromSpec, type SynthesisResult } from './spec.ts';
import {
  asProperty,
  determinise,
  withoutErrors,
  hide,
  minimise,
  prefixLabel,
  priority,
  reachable,
  relabel,
  shareLabels,
} from './transform.ts';

export interface EvalOptions {
  maxStates?: number;
  onProgress?: (states: number) => void;
}

/** Evaluates processes of one specification to LTSs; results are cached per name and arguments. */
export class Evaluator {
  readonly scope: Scope;
  readonly actions = new ActionTable();
  readonly warnings: string[] = [];
  readonly maxStates: number;
  /** Synthesis results of `controller ||C = …` definitions evaluated so far. */
  readonly syntheses = new Map<string, SynthesisResult>();
  private readonly cache = new Map<string, Lts[]>();
  private readonly busy = new Set<string>();

  constructor(
    readonly spec: FspSpec,
    private readonly opts: EvalOptions = {},
  ) {
    this.scope = new Scope(spec);
    this.maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  }

  /** The LTS of a named process or composite (components composed). */
  lts(name: string, args: Value[] = []): Lts {
    const parts = this.named(name, args, undefined);
    return this.composeAll(parts, name);
  }

  composeAll(parts: Lts[], name: string): Lts {
    return compose(parts, {
      maxStates: this.maxStates,
      name,
      ...(this.opts.onProgress ? { onProgress: this.opts.onProgress } : {}),
    });
  }

  private named(name: string, args: Value[], pos: { line: number; col: number } | undefined): Lts[] {
    const d: Decl | undefined = this.scope.procs.get(name) ?? this.scope.others.get(name) ?? this.scope.decls.get(name);
    if (!d) return this.scope.fail('UNDEFINED', `undefined process "${name}"`, pos);
    if (d.kind === 'ltl_property') return [fltlSafety(this.scope, this.actions, d, this.maxStates)];
    // A constraint is the LTS of the traces that satisfy the formula: the safety LTS without its ERROR moves.
    if (d.kind === 'constraint') return [withoutErrors(fltlSafety(this.scope, this.actions, d, this.maxStates))];
    if (d.kind !== 'process' && d.kind !== 'composite')
      return this.scope.fail(
        'UNSUPPORTED',
        `"${name}" is a ${d.kind}, not a process${d.kind === 'assert' ? ' (assertions are evaluated inside ltl_property and constraint formulas)' : ''}`,
        pos,
      );
    const key = `${name}(${args.join(',')})`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (this.busy.has(key)) return this.scope.fail('CYCLE', `${name} is composed from itself`, pos);
    this.busy.add(key);
    try {
      const parts = d.kind === 'process' ? [this.primitive(d, args)] : this.composite(d, args);
      this.cache.set(key, parts);
      return parts;
    } finally {
      this.busy.delete(key);
    }
  }

  private primitive(d: ProcessDef, args: Value[]): Lts {
    let lts = compilePrimitive(this.scope, this.actions, d, args, {
      maxStates: this.maxStates,
      warnings: this.warnings,
    });
    let env: Env = EMPTY_ENV;
    d.params.forEach((p, i) => (env = bind(env, p.name, i < args.length ? args[i]! : this.scope.expr(p.def, env))));
    lts = this.applyOps([lts], d, env, d.name)[0]!;
    if (d.deterministic) lts = determinise(lts, this.maxStates);
    if (d.minimal) lts = minimise(lts);
    if (d.property) lts = asProperty(lts, this.maxStates);
    return lts;
  }

  private composite(d: CompositeDef, args: Value[]): Lts[] {
    if (args.length > d.params.length)
      this.scope.fail('ARITY', `${d.name} takes ${d.params.length} parameters, ${args.length} given`, d.pos);
    let env: Env = EMPTY_ENV;
    d.params.forEach((p, i) => (env = bind(env, p.name, i < args.length ? args[i]! : this.scope.expr(p.def, env))));
    if (d.compKind !== 'plain' && d.compKind !== 'controller' && d.compKind !== 'compose') {
      this.scope.fail(
        'UNSUPPORTED',
        `${d.compKind} ||${d.name}: ${d.compKind === 'heuristic' ? 'on-the-fly directed synthesis' : d.compKind === 'checkCompatibility' ? 'GR(1) compatibility checking' : 'star environments'} is parsed but not supported; use "controller ||${d.name}"`,
        d.pos,
      );
    }
    if (d.compKind === 'controller' && d.body.k !== 'control')
      this.scope.fail('SYNTAX', `controller ||${d.name} must be of the form Plant~{Spec}`, d.pos);
    if (d.property || d.deterministic)
      this.scope.fail('UNSUPPORTED', `property/deterministic on the composite ${d.name} is not supported`, d.pos);
    const parts = this.comp(d.body, env, d.name);
    return d.minimal ? [minimise(this.composeAll(parts, d.name))] : parts;
  }

  /** Components of a composition expression (public for synthesis, which evaluates the plant). */
  comp(e: CompExpr, env: Env, name: string): Lts[] {
    switch (e.k) {
      case 'ref':
        return this.named(
          e.name,
          (e.args ?? []).map((a) => this.scope.expr(a, env)),
          e.pos,
        );
      case 'par':
        return e.items.flatMap((it) => this.comp(it, env, name));
      case 'forall':
        return this.scope.domain(e.dom, env).flatMap((v) => this.comp(e.body, bind(env, e.v, v), name));
      case 'prefix': {
        const out: Lts[] = [];
        for (const l of this.labelsWithEnv(e.labels, env))
          for (const p of this.comp(e.body, l.env, name)) out.push(prefixLabel(p, l.name));
        return out;
      }
      case 'share': {
        const prefixes = this.scope.actSet(e.labels, env);
        return this.comp(e.body, env, name).map((p) => shareLabels(p, prefixes));
      }
      case 'ops':
        return this.applyOps(this.comp(e.body, env, name), e.ops, env, name);
      case 'if':
        return this.scope.int(e.cond, env) ? this.comp(e.then, env, name) : e.else ? this.comp(e.else, env, name) : [];
      case 'control': {
        const result = synthesiseFromSpec(this, e, env, name);
        this.syntheses.set(name, result);
        if (!result.controller)
          return this.scope.fail(
            'NO_CONTROLLER',
            `${name}: no controller exists for ${e.goal}. ${result.explanation}`,
            e.pos,
          );
        return [result.controller];
      }
    }
  }

  /** A prefix label `p[i:1..3]:P` binds i for P, so labels keep their variables. */
  private labelsWithEnv(s: ActSet, env: Env): { name: string; env: Env }[] {
    if (s.k === 'label') return this.scope.expandLabel(s.label, env);
    return this.scope.actSet(s, env).map((name) => ({ name, env }));
  }

  /** Relabelling distributes over the components (so renamed actions synchronise); hiding and priority apply to the composition. */
  private applyOps(parts: Lts[], ops: ProcessOps, env: Env, name: string): Lts[] {
    let out = parts;
    if (ops.relabel) {
      const pairs = this.relabelPairs(ops.relabel, env);
      out = out.map((p) => relabel(p, pairs));
    }
    if (ops.priority || ops.hide) {
      let one = this.composeAll(out, name);
      if (ops.priority) one = reachable(priority(one, this.scope.actSet(ops.priority.set, env), ops.priority.high));
      if (ops.hide) one = hide(one, this.scope.actSet(ops.hide.set, env), ops.hide.iface);
      out = [one];
    }
    return out;
  }

  private relabelPairs(items: RelabelItem[], env: Env): { to: string; from: string }[] {
    const out: { to: string; from: string }[] = [];
    for (const it of items) {
      if (it.k === 'forall') {
        for (const v of this.scope.domain(it.dom, env)) out.push(...this.relabelPairs(it.items, bind(env, it.v, v)));
        continue;
      }
      const tos = this.scope.actSet(it.to, env);
      const froms = this.scope.actSet(it.from, env);
      // `send/send[M]` maps each old name to the new one, `{a,b}/x` maps x to both; a set on both
      // sides has no agreed meaning, so it is refused rather than guessed.
      if (tos.length > 1 && froms.length > 1)
        this.scope.fail(
          'UNSUPPORTED',
          `relabelling ${tos.length} names to ${froms.length} names at once is not supported; write one pair per old name`,
          it.pos,
        );
      for (const to of tos) for (const from of froms) out.push({ to, from });
    }
    return out;
  }

  /** Names of every process, composite and controller that can be built (for the CLI and the table). */
  targets(): { name: string; kind: string }[] {
    const out: { name: string; kind: string }[] = [];
    for (const d of this.spec.decls) {
      if (d.kind === 'process') out.push({ name: d.name, kind: d.property ? 'property' : 'process' });
      else if (d.kind === 'composite')
        out.push({ name: d.name, kind: d.compKind === 'plain' ? 'composite' : d.compKind });
      else if (d.kind === 'constraint') out.push({ name: d.name, kind: 'constraint' });
    }
    return out;
  }
}
