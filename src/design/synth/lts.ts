import { fspError } from './errors.ts';

/** The silent action (hidden actions become it); action id 0 in every table. */
export const TAU = 0;
/** Transition target meaning the ERROR state (a property or safety violation). */
export const ERROR_STATE = -1;
export const DEFAULT_MAX_STATES = 2_000_000;

/** Interns action names ("a.b.1") to small integers shared by every LTS of one evaluation. */
export class ActionTable {
  readonly names: string[] = ['tau'];
  private readonly ids = new Map<string, number>([['tau', TAU]]);
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
  find(name: string): number | undefined {
    return this.ids.get(name);
  }
  name(id: number): string {
    return this.names[id]!;
  }
}

/**
 * A labelled transition system in compressed sparse rows: the transitions of state s are
 * `labels/targets[offsets[s] .. offsets[s+1])`, sorted by label. State 0 is initial.
 */
export interface Lts {
  name: string;
  actions: ActionTable;
  nStates: number;
  offsets: Int32Array;
  labels: Int32Array;
  targets: Int32Array;
  /** Sorted action ids (never tau). */
  alphabet: Int32Array;
  /** The END state of a process that terminates, else -1. */
  endState: number;
}

/** Growable int array without per-element allocation. */
export class IntVec {
  data: Int32Array;
  length = 0;
  constructor(cap = 64) {
    this.data = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Builds an LTS from transitions added in any order; refuses to pass the state limit. */
export class LtsBuilder {
  nStates = 0;
  endState = -1;
  private readonly src = new IntVec();
  private readonly lab = new IntVec();
  private readonly dst = new IntVec();
  readonly extraAlphabet = new Set<number>();
  constructor(
    readonly name: string,
    readonly actions: ActionTable,
    readonly maxStates: number = DEFAULT_MAX_STATES,
  ) {}
  newState(): number {
    if (this.nStates >= this.maxStates) throw stateLimit(this.name, this.nStates, this.maxStates);
    return this.nStates++;
  }
  add(from: number, label: number, to: number): void {
    this.src.push(from);
    this.lab.push(label);
    this.dst.push(to);
  }
  private readonly aliases = new Map<number, number>();
  /** `placeholder` behaves as `target`: transitions into it are redirected when the LTS is finished. */
  alias(placeholder: number, target: number): void {
    this.aliases.set(placeholder, target);
  }
  resolve(s: number): number {
    for (let guard = 0; guard <= this.aliases.size && this.aliases.has(s); guard++) s = this.aliases.get(s)!;
    return s;
  }
  get hasAliases(): boolean {
    return this.aliases.size > 0;
  }
  finish(): Lts {
    const dst = this.dst.view();
    if (this.aliases.size) for (let e = 0; e < dst.length; e++) if (dst[e]! >= 0) dst[e] = this.resolve(dst[e]!);
    return fromEdges(
      this.name,
      this.actions,
      this.nStates,
      this.src.view(),
      this.lab.view(),
      dst,
      this.extraAlphabet,
      this.endState,
    );
  }
}

export function stateLimit(name: string, reached: number, max: number) {
  return fspError(
    'STATE_LIMIT',
    `${name}: the state space passed the limit of ${max} states (${reached} states reached); raise --max-states or shrink the model`,
  );
}

/** CSR from an edge list (duplicates removed, each state's edges sorted by label then target). */
export function fromEdges(
  name: string,
  actions: ActionTable,
  nStates: number,
  src: Int32Array,
  lab: Int32Array,
  dst: Int32Array,
  extra: Iterable<number> = [],
  endState = -1,
): Lts {
  const m = src.length;
  const order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => src[a]! - src[b]! || lab[a]! - lab[b]! || dst[a]! - dst[b]!);
  const offsets = new Int32Array(nStates + 1);
  const labels = new IntVec(Math.max(16, m));
  const targets = new IntVec(Math.max(16, m));
  const alpha = new Set<number>(extra);
  let prev = -1;
  for (let k = 0; k < m; k++) {
    const e = order[k]!;
    const s = src[e]!;
    if (prev >= 0 && src[prev] === s && lab[prev] === lab[e] && dst[prev] === dst[e]) continue;
    prev = e;
    offsets[s + 1]!++;
    labels.push(lab[e]!);
    targets.push(dst[e]!);
    alpha.add(lab[e]!);
  }
  for (let s = 0; s < nStates; s++) offsets[s + 1]! += offsets[s]!;
  alpha.delete(TAU);
  return {
    name,
    actions,
    nStates,
    offsets,
    labels: labels.view().slice(),
    targets: targets.view().slice(),
    alphabet: Int32Array.from([...alpha].sort((a, b) => a - b)),
    endState,
  };
}

/** The edges of an LTS as parallel arrays (for transformations). */
export function edgesOf(lts: Lts): { src: Int32Array; lab: Int32Array; dst: Int32Array } {
  const m = lts.labels.length;
  const src = new Int32Array(m);
  for (let s = 0; s < lts.nStates; s++) src.fill(s, lts.offsets[s]!, lts.offsets[s + 1]!);
  return { src, lab: lts.labels, dst: lts.targets };
}

export function transitionCount(lts: Lts): number {
  return lts.labels.length;
}

/** Whether `name` is `prefix` or lies under it (`a.b` under `a`): FSP hides, relabels and matches sets by prefix. */
export function underPrefix(name: string, prefix: string): boolean {
  return name === prefix || (name.length > prefix.length && name.startsWith(prefix) && name[prefix.length] === '.');
}

/** "allow_A.1" → "allow_A[1]": numeric components print as indices, as LTSA and MTSA do. */
export function displayAction(name: string): string {
  return name
    .split('.')
    .map((p, i) => (/^-?\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}
