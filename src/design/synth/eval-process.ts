import type { Alt, Expr, Local, LocalDef, ProcessDef } from './ast.ts';
import type { SourcePos } from './errors.ts';
import { bind, EMPTY_ENV, type Env, type Scope, type Value } from './eval-values.ts';
import { ERROR_STATE, LtsBuilder, type ActionTable, type Lts } from './lts.ts';
import { reachable } from './transform.ts';

/** One instantiation of a process definition inside the LTS being built (sequential composition inlines several). */
interface Instance {
  id: number;
  def: ProcessDef;
  env: Env;
  /** Where END leads (the next process of a sequence), or null: END is this process's own end state. */
  endTarget: number | null;
  table: Map<string, { local: LocalDef; env: Env }> | null;
}

export interface CompileOptions {
  maxStates: number;
  warnings: string[];
}

/** Compiles a primitive process (locals, indices, guards, choice, sequences) to an LTS by exploring its states. */
export function compilePrimitive(
  scope: Scope,
  actions: ActionTable,
  def: ProcessDef,
  args: Value[],
  opts: CompileOptions,
): Lts {
  return new PrimitiveCompiler(scope, actions, def, opts).run(args);
}

class PrimitiveCompiler {
  private readonly b: LtsBuilder;
  private readonly memo = new Map<string, number>();
  private readonly resolving = new Set<string>();
  private readonly work: { state: number; alts: Alt[]; env: Env; inst: Instance }[] = [];
  private readonly instances = new Map<string, Instance>();
  private nextInst = 0;

  constructor(
    private readonly scope: Scope,
    actions: ActionTable,
    private readonly root: ProcessDef,
    private readonly opts: CompileOptions,
  ) {
    this.b = new LtsBuilder(root.name, actions, opts.maxStates);
  }

  run(args: Value[]): Lts {
    const inst = this.instance(this.root, args, null, this.root.pos);
    const first = this.localState(inst, this.root.name, [], this.root.pos);
    this.drain();
    if (this.root.alphaExt)
      for (const a of this.scope.actSet(this.root.alphaExt, inst.env)) this.b.extraAlphabet.add(this.b.actions.id(a));
    const built = this.b.finish();
    // The main body may be an alias of another state (P = Q[0]): that state becomes state 0.
    const init = first < 0 ? first : this.b.resolve(first);
    if (init === ERROR_STATE)
      this.scope.fail('UNSUPPORTED', `${this.root.name} is ERROR from its initial state`, this.root.pos);
    const lts = init === 0 ? built : redirectInitial(built, init);
    return this.b.hasAliases ? reachable(lts) : lts;
  }

  private instance(def: ProcessDef, args: Value[], endTarget: number | null, pos: SourcePos): Instance {
    if (args.length > def.params.length)
      this.scope.fail('ARITY', `${def.name} takes ${def.params.length} parameters, ${args.length} given`, pos);
    let env: Env = EMPTY_ENV;
    def.params.forEach((p, i) => (env = bind(env, p.name, i < args.length ? args[i]! : this.scope.expr(p.def, env))));
    const key = `${def.name}(${def.params.map((p) => String(env.get(p.name))).join(',')})>${endTarget}`;
    let inst = this.instances.get(key);
    if (!inst) {
      inst = { id: this.nextInst++, def, env, endTarget, table: null };
      this.instances.set(key, inst);
    }
    return inst;
  }

  /** All (local, env) pairs of an instance by their state name "NAME.i.j". */
  private tableOf(inst: Instance): Map<string, { local: LocalDef; env: Env }> {
    if (inst.table) return inst.table;
    const t = new Map<string, { local: LocalDef; env: Env }>();
    for (const local of inst.def.locals) {
      let combos: { comps: string; env: Env }[] = [{ comps: local.name, env: inst.env }];
      for (const bdr of local.binders) {
        const next: { comps: string; env: Env }[] = [];
        for (const c of combos)
          for (const v of this.scope.domain(bdr.dom, c.env))
            next.push({ comps: `${c.comps}.${v}`, env: bind(c.env, bdr.v, v) });
        combos = next;
        if (combos.length > this.opts.maxStates)
          this.scope.fail('STATE_LIMIT', `${local.name}: more than ${this.opts.maxStates} indexed states`, local.pos);
      }
      for (const c of combos) if (!t.has(c.comps)) t.set(c.comps, { local, env: c.env });
    }
    inst.table = t;
    return t;
  }

  private hasLocal(inst: Instance, name: string): boolean {
    return inst.def.locals.some((l) => l.name === name);
  }

  private localState(inst: Instance, name: string, idx: Value[], pos: SourcePos): number {
    const comps = [name, ...idx].join('.');
    const key = `${inst.id}:${comps}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const entry = this.tableOf(inst).get(comps);
    if (!entry) {
      if (this.opts.warnings.length < 50)
        this.opts.warnings.push(
          `${this.scope.file ?? 'input'}:${pos.line}:${pos.col}: ${inst.def.name}: ${comps} is outside its index range; defined to be ERROR (as LTSA does)`,
        );
      this.memo.set(key, ERROR_STATE);
      return ERROR_STATE;
    }
    if (entry.local.body.k === 'choice') {
      const s = this.b.newState();
      this.memo.set(key, s);
      this.work.push({ state: s, alts: entry.local.body.alts, env: entry.env, inst });
      return s;
    }
    if (entry.local.body.k === 'seq') {
      // A sequence may recurse to its own name after progress: give it a placeholder state, aliased once built.
      const s = this.b.newState();
      this.memo.set(key, s);
      this.b.alias(s, this.compile(entry.local.body, entry.env, inst));
      return s;
    }
    if (this.resolving.has(key))
      this.scope.fail(
        'NO_PROGRESS',
        `${comps} is defined in terms of itself without an action (recursion without progress)`,
        entry.local.pos,
      );
    this.resolving.add(key);
    const s = this.compile(entry.local.body, entry.env, inst);
    this.resolving.delete(key);
    this.memo.set(key, s);
    return s;
  }

  private drain(): void {
    while (this.work.length) {
      const w = this.work.pop()!;
      this.fill(w.state, w.alts, w.env, w.inst);
    }
  }

  private compile(body: Local, env: Env, inst: Instance): number {
    switch (body.k) {
      case 'stop':
        return this.b.newState();
      case 'error':
        return ERROR_STATE;
      case 'end':
        if (inst.endTarget !== null) return inst.endTarget;
        if (this.b.endState < 0) this.b.endState = this.b.newState();
        return this.b.endState;
      case 'if': {
        if (this.scope.int(body.cond, env)) return this.compile(body.then, env, inst);
        return body.else ? this.compile(body.else, env, inst) : this.b.newState();
      }
      case 'choice': {
        const s = this.b.newState();
        this.fill(s, body.alts, env, inst);
        return s;
      }
      case 'ref':
        return this.reference(body.name, body.idx, body.args, env, inst, body.pos, inst.endTarget);
      case 'seq': {
        let next = this.compile(body.last, env, inst);
        for (let i = body.procs.length - 1; i >= 0; i--) {
          const p = body.procs[i]!;
          next = this.reference(p.name, [], p.args ?? [], env, inst, p.pos, next);
        }
        return next;
      }
    }
  }

  private reference(
    name: string,
    idx: Expr[],
    args: Expr[] | null,
    env: Env,
    inst: Instance,
    pos: SourcePos,
    endTarget: number | null,
  ): number {
    const idxVals = idx.map((e) => this.scope.expr(e, env));
    if (this.hasLocal(inst, name) && args === null && endTarget === inst.endTarget)
      return this.localState(inst, name, idxVals, pos);
    const d = this.scope.procs.get(name);
    if (!d) return this.scope.fail('UNDEFINED', `undefined process "${name}"`, pos);
    if (d.kind !== 'process')
      return this.scope.fail(
        'UNSUPPORTED',
        `"${name}" is a composite process; only primitive processes can be used inside a process body or sequence`,
        pos,
      );
    if (idx.length) return this.scope.fail('SYNTAX', `"${name}" is another process: it cannot be indexed here`, pos);
    const sub = this.instance(
      d,
      (args ?? []).map((e) => this.scope.expr(e, env)),
      endTarget,
      pos,
    );
    return this.localState(sub, d.name, [], pos);
  }

  private fill(state: number, alts: Alt[], env: Env, inst: Instance): void {
    for (const alt of alts) {
      if (alt.k === 'foreach') {
        for (const v of this.scope.domain(alt.dom, env)) this.fill(state, alt.alts, bind(env, alt.v, v), inst);
        continue;
      }
      if (alt.guard && !this.scope.int(alt.guard, env)) continue;
      this.chain(state, alt, 0, env, inst);
    }
  }

  private chain(from: number, alt: Extract<Alt, { k: 'prefix' }>, i: number, env: Env, inst: Instance): void {
    const step = alt.chain[i]!;
    if (step.maybe)
      this.scope.fail(
        'UNSUPPORTED',
        'maybe transitions ("a?", modal transition systems) are parsed but not supported by synthesis',
        alt.pos,
      );
    const set = step.set;
    const acts =
      set.k === 'label'
        ? this.scope.expandLabel(set.label, env)
        : this.scope.actSet(set, env).map((name) => ({ name, env }));
    // Actions that bind no new variable share one continuation.
    const groups = new Map<Env, string[]>();
    for (const a of acts) {
      const g = groups.get(a.env);
      if (g) g.push(a.name);
      else groups.set(a.env, [a.name]);
    }
    for (const [genv, names] of groups) {
      let to: number;
      if (i === alt.chain.length - 1) to = this.compile(alt.target, genv, inst);
      else {
        to = this.b.newState();
        this.chain(to, alt, i + 1, genv, inst);
      }
      for (const n of names) this.b.add(from, this.b.actions.id(n), to);
    }
  }
}

/** The same LTS with `target` as its initial state (the main body was an alias such as `P = Q[0]`). */
function redirectInitial(lts: Lts, target: number): Lts {
  // Swap states 0 and target.
  const perm = new Int32Array(lts.nStates);
  for (let s = 0; s < lts.nStates; s++) perm[s] = s;
  perm[0] = target;
  perm[target] = 0;
  const offsets = new Int32Array(lts.nStates + 1);
  const labels = new Int32Array(lts.labels.length);
  const targets = new Int32Array(lts.labels.length);
  let k = 0;
  for (let ns = 0; ns < lts.nStates; ns++) {
    const os = perm[ns]!;
    for (let e = lts.offsets[os]!; e < lts.offsets[os + 1]!; e++) {
      labels[k] = lts.labels[e]!;
      const t = lts.targets[e]!;
      targets[k++] = t < 0 ? t : perm[t]!;
    }
    offsets[ns + 1] = k;
  }
  const endState = lts.endState < 0 ? -1 : perm[lts.endState]!;
  return { ...lts, offsets, labels, targets, endState };
}
