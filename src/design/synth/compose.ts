import { fspError } from './errors.ts';
import { ERROR_STATE, IntVec, TAU, stateLimit, type Lts } from './lts.ts';

/** Open-addressing hash from a tuple key (a float64 when it fits, else none) to a state id. */
class TupleIndex {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  size = 0;
  constructor(cap = 1 << 12) {
    this.keys = new Float64Array(cap).fill(-1);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }
  private slot(k: number): number {
    // Mix the high and low halves; keys are < 2^53.
    const h =
      (Math.imul((k % 4294967296) | 0, 0x9e3779b1) ^ Math.imul(Math.floor(k / 4294967296) | 0, 0x85ebca6b)) >>> 0;
    return h & this.mask;
  }
  get(k: number): number {
    for (let i = this.slot(k); ; i = (i + 1) & this.mask) {
      const at = this.keys[i]!;
      if (at === k) return this.vals[i]!;
      if (at === -1) return -1;
    }
  }
  set(k: number, v: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    for (let i = this.slot(k); ; i = (i + 1) & this.mask) {
      if (this.keys[i] === -1) {
        this.keys[i] = k;
        this.vals[i] = v;
        this.size++;
        return;
      }
    }
  }
  private grow(): void {
    const ok = this.keys;
    const ov = this.vals;
    this.keys = new Float64Array(ok.length * 2).fill(-1);
    this.vals = new Int32Array(ok.length * 2);
    this.mask = this.keys.length - 1;
    this.size = 0;
    for (let i = 0; i < ok.length; i++) if (ok[i] !== -1) this.set(ok[i]!, ov[i]!);
  }
}

export interface ComposeOptions {
  maxStates: number;
  name?: string;
  /** Called every 65,536 states (progress on stderr). */
  onProgress?: (states: number) => void;
}

/**
 * Parallel composition: shared actions synchronise (all components that have the action in their
 * alphabet move together), others and tau interleave. Explores only reachable tuples. A move of any
 * component into ERROR makes the composite go to ERROR.
 */
export function compose(parts: Lts[], opts: ComposeOptions): Lts {
  if (parts.length === 0) throw fspError('EVAL', `${opts.name ?? 'composition'}: nothing to compose`);
  if (parts.length === 1) return parts[0]!;
  const actions = parts[0]!.actions;
  const n = parts.length;
  const nAct = actions.names.length;
  // participants[a] = components with a in their alphabet.
  const partsOf: number[][] = Array.from({ length: nAct }, () => []);
  for (let i = 0; i < n; i++) for (const a of parts[i]!.alphabet) partsOf[a]!.push(i);
  const alphabet = Int32Array.from([...new Set(parts.flatMap((p) => [...p.alphabet]))].sort((a, b) => a - b));
  const radix: number[] = parts.map((p) => p.nStates);
  const fits = radix.reduce((acc, r) => acc * r, 1) < 2 ** 52;
  const index = new TupleIndex();
  const strIndex = new Map<string, number>();
  const tuples = new IntVec(n * 1024);
  const radixArr = Float64Array.from(radix);
  let count = 0;
  const add = (t: Int32Array): number => {
    if (count >= opts.maxStates) throw stateLimit(opts.name ?? 'composition', count, opts.maxStates);
    const id = count++;
    for (let i = 0; i < n; i++) tuples.push(t[i]!);
    if (opts.onProgress && (count & 0xffff) === 0) opts.onProgress(count);
    return id;
  };
  // Tuples as mixed-radix numbers when the product of the sizes fits a float64 exactly; else strings.
  const lookup = fits
    ? (t: Int32Array): number => {
        let k = 0;
        for (let i = 0; i < n; i++) k = k * radixArr[i]! + t[i]!;
        const found = index.get(k);
        if (found >= 0) return found;
        const id = add(t);
        index.set(k, id);
        return id;
      }
    : (t: Int32Array): number => {
        const k = t.join(',');
        const found = strIndex.get(k);
        if (found !== undefined) return found;
        const id = add(t);
        strIndex.set(k, id);
        return id;
      };
  const offsets = new IntVec(1024);
  const labels = new IntVec(4096);
  const targets = new IntVec(4096);
  lookup(new Int32Array(n));
  const cur = new Int32Array(n);
  const next = new Int32Array(n);
  const stamp = new Int32Array(nAct).fill(-1);
  const candidates: number[] = [];
  // choice lists as flat ranges: component i's successors for the current action are chStart[i]..chEnd[i] in chBuf.
  const chBuf = new IntVec(64);
  const chStart = new Int32Array(n);
  const chEnd = new Int32Array(n);
  const pick = new Int32Array(n);
  const offs = parts.map((p) => p.offsets);
  const labs = parts.map((p) => p.labels);
  const tgts = parts.map((p) => p.targets);
  for (let s = 0; s < count; s++) {
    offsets.push(labels.length);
    for (let i = 0; i < n; i++) cur[i] = tuples.data[s * n + i]!;
    candidates.length = 0;
    for (let i = 0; i < n; i++) {
      const o = offs[i]!;
      const l = labs[i]!;
      const t = tgts[i]!;
      for (let e = o[cur[i]!]!, end = o[cur[i]! + 1]!; e < end; e++) {
        const a = l[e]!;
        if (a === TAU) {
          const to = t[e]!;
          labels.push(TAU);
          if (to === ERROR_STATE) targets.push(ERROR_STATE);
          else {
            next.set(cur);
            next[i] = to;
            targets.push(lookup(next));
          }
        } else if (stamp[a] !== s) {
          stamp[a] = s;
          candidates.push(a);
        }
      }
    }
    candidates.sort((x, y) => x - y);
    for (const a of candidates) {
      const ps = partsOf[a]!;
      let blocked = false;
      let single = true;
      chBuf.length = 0;
      for (const i of ps) {
        const o = offs[i]!;
        const l = labs[i]!;
        const t = tgts[i]!;
        chStart[i] = chBuf.length;
        for (let e = o[cur[i]!]!, end = o[cur[i]! + 1]!; e < end; e++) if (l[e] === a) chBuf.push(t[e]!);
        chEnd[i] = chBuf.length;
        const k = chEnd[i]! - chStart[i]!;
        if (k === 0) {
          blocked = true;
          break;
        }
        if (k > 1) single = false;
      }
      if (blocked) continue;
      if (single) {
        // The common case: each participant has one successor.
        next.set(cur);
        let err = false;
        for (const i of ps) {
          const to = chBuf.data[chStart[i]!]!;
          if (to === ERROR_STATE) err = true;
          else next[i] = to;
        }
        labels.push(a);
        targets.push(err ? ERROR_STATE : lookup(next));
        continue;
      }
      // Cartesian product of the participants' successors.
      for (const i of ps) pick[i] = chStart[i]!;
      for (;;) {
        next.set(cur);
        let err = false;
        for (const i of ps) {
          const to = chBuf.data[pick[i]!]!;
          if (to === ERROR_STATE) err = true;
          else next[i] = to;
        }
        labels.push(a);
        targets.push(err ? ERROR_STATE : lookup(next));
        let j = 0;
        while (j < ps.length && ++pick[ps[j]!]! >= chEnd[ps[j]!]!) {
          pick[ps[j]!] = chStart[ps[j]!]!;
          j++;
        }
        if (j === ps.length) break;
      }
    }
  }
  offsets.push(labels.length);
  return {
    name: opts.name ?? parts.map((p) => p.name).join('||'),
    actions,
    nStates: count,
    offsets: offsets.view().slice(),
    labels: labels.view().slice(),
    targets: targets.view().slice(),
    alphabet,
    endState: -1,
  };
}
