import { ERROR_STATE, IntVec, TAU, edgesOf, fromEdges, stateLimit, underPrefix, type Lts } from './lts.ts';

/** Maps every action through `f` (one action may become several: relational relabelling); tau stays tau. */
export function mapActions(lts: Lts, f: (name: string) => string[], extraAlphabet = true): Lts {
  const cache = new Map<number, number[]>();
  const image = (a: number): number[] => {
    let r = cache.get(a);
    if (!r) {
      r = a === TAU ? [TAU] : f(lts.actions.name(a)).map((n) => (n === 'tau' ? TAU : lts.actions.id(n)));
      cache.set(a, r);
    }
    return r;
  };
  const { src, lab, dst } = edgesOf(lts);
  const s2 = new IntVec(src.length + 16);
  const l2 = new IntVec(src.length + 16);
  const d2 = new IntVec(src.length + 16);
  for (let e = 0; e < src.length; e++)
    for (const b of image(lab[e]!)) {
      s2.push(src[e]!);
      l2.push(b);
      d2.push(dst[e]!);
    }
  const alpha = extraAlphabet ? [...lts.alphabet].flatMap(image) : [];
  return fromEdges(lts.name, lts.actions, lts.nStates, s2.view(), l2.view(), d2.view(), alpha, lts.endState);
}

/** `/{to/from, …}`: each pair renames `from` and everything under it (`from.x` → `to.x`). */
export function relabel(lts: Lts, pairs: { to: string; from: string }[]): Lts {
  return mapActions(lts, (name) => {
    const out: string[] = [];
    for (const p of pairs) if (underPrefix(name, p.from)) out.push(p.to + name.slice(p.from.length));
    return out.length ? [...new Set(out)] : [name];
  });
}

export function prefixLabel(lts: Lts, prefix: string): Lts {
  return mapActions(lts, (n) => [`${prefix}.${n}`]);
}

/** `{a,b}::P`: every action x of P becomes a.x and b.x. */
export function shareLabels(lts: Lts, prefixes: string[]): Lts {
  return mapActions(lts, (n) => prefixes.map((p) => `${p}.${n}`));
}

/** `\{…}` hides the actions under the set; `@{…}` hides all others. */
export function hide(lts: Lts, set: string[], iface: boolean): Lts {
  return mapActions(lts, (n) => (set.some((p) => underPrefix(n, p)) !== iface ? ['tau'] : [n]));
}

/** `<<{…}` (high) or `>>{…}` (low priority): where a preferred action is enabled, the others are removed. */
export function priority(lts: Lts, set: string[], high: boolean): Lts {
  const inSet = new Uint8Array(lts.actions.names.length);
  for (let a = 1; a < inSet.length; a++) inSet[a] = set.some((p) => underPrefix(lts.actions.name(a), p)) ? 1 : 0;
  const preferred = (a: number) => (high ? inSet[a] === 1 : inSet[a] === 0 && a !== TAU) || (!high && a === TAU);
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  for (let s = 0; s < lts.nStates; s++) {
    const lo = lts.offsets[s]!;
    const hi = lts.offsets[s + 1]!;
    let any = false;
    for (let e = lo; e < hi; e++) if (preferred(lts.labels[e]!)) any = true;
    for (let e = lo; e < hi; e++) {
      if (any && !preferred(lts.labels[e]!)) continue;
      s2.push(s);
      l2.push(lts.labels[e]!);
      d2.push(lts.targets[e]!);
    }
  }
  return fromEdges(lts.name, lts.actions, lts.nStates, s2.view(), l2.view(), d2.view(), lts.alphabet, lts.endState);
}

/** Subset construction (tau-closure included); ERROR is absorbing: a subset containing it is ERROR. */
export function determinise(lts: Lts, maxStates: number): Lts {
  const closure = (set: number[]): number[] => {
    const seen = new Set(set);
    const stack = [...set];
    while (stack.length) {
      const s = stack.pop()!;
      if (s < 0) continue;
      for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++)
        if (lts.labels[e] === TAU && !seen.has(lts.targets[e]!)) {
          seen.add(lts.targets[e]!);
          stack.push(lts.targets[e]!);
        }
    }
    return [...seen].sort((a, b) => a - b);
  };
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const intern = (set: number[]): number => {
    if (set.includes(ERROR_STATE)) return ERROR_STATE;
    const k = set.join(',');
    let id = ids.get(k);
    if (id === undefined) {
      if (sets.length >= maxStates) throw stateLimit(`${lts.name} (determinised)`, sets.length, maxStates);
      id = sets.length;
      ids.set(k, id);
      sets.push(set);
    }
    return id;
  };
  intern(closure([0]));
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  for (let i = 0; i < sets.length; i++) {
    const byLabel = new Map<number, number[]>();
    for (const s of sets[i]!)
      for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
        const a = lts.labels[e]!;
        if (a === TAU) continue;
        const g = byLabel.get(a) ?? [];
        g.push(lts.targets[e]!);
        byLabel.set(a, g);
      }
    for (const [a, ts] of byLabel) {
      s2.push(i);
      l2.push(a);
      d2.push(intern(closure([...new Set(ts)])));
    }
  }
  return fromEdges(lts.name, lts.actions, sets.length, s2.view(), l2.view(), d2.view(), lts.alphabet);
}

export function isDeterministic(lts: Lts): boolean {
  for (let s = 0; s < lts.nStates; s++)
    for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
      if (lts.labels[e] === TAU) return false;
      if (e > lts.offsets[s]! && lts.labels[e - 1] === lts.labels[e]) return false;
    }
  return true;
}

/** `property P`: deterministic, and every action of the alphabet that P does not offer leads to ERROR. */
export function asProperty(lts: Lts, maxStates: number): Lts {
  const det = isDeterministic(lts) ? lts : determinise(lts, maxStates);
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  for (let s = 0; s < det.nStates; s++) {
    const offered = new Set<number>();
    for (let e = det.offsets[s]!; e < det.offsets[s + 1]!; e++) {
      offered.add(det.labels[e]!);
      s2.push(s);
      l2.push(det.labels[e]!);
      d2.push(det.targets[e]!);
    }
    for (const a of det.alphabet)
      if (!offered.has(a)) {
        s2.push(s);
        l2.push(a);
        d2.push(ERROR_STATE);
      }
  }
  return fromEdges(det.name, det.actions, det.nStates, s2.view(), l2.view(), d2.view(), det.alphabet);
}

/** Keeps only states reachable from 0 (renumbered in BFS order). */
export function reachable(lts: Lts): Lts {
  const map = new Int32Array(lts.nStates).fill(-1);
  const order: number[] = [0];
  map[0] = 0;
  for (let i = 0; i < order.length; i++) {
    const s = order[i]!;
    for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
      const t = lts.targets[e]!;
      if (t >= 0 && map[t] === -1) {
        map[t] = order.length;
        order.push(t);
      }
    }
  }
  if (order.length === lts.nStates && order.every((s, i) => s === i)) return lts;
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  order.forEach((s, ns) => {
    for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
      s2.push(ns);
      l2.push(lts.labels[e]!);
      const t = lts.targets[e]!;
      d2.push(t < 0 ? t : map[t]!);
    }
  });
  return fromEdges(
    lts.name,
    lts.actions,
    order.length,
    s2.view(),
    l2.view(),
    d2.view(),
    lts.alphabet,
    lts.endState >= 0 ? map[lts.endState]! : -1,
  );
}

/**
 * Strong-bisimulation minimisation by partition refinement (tau is an ordinary label here, so this
 * is coarser than nothing and finer than LTSA's weak "minimal"; MTSA prints controllers minimised).
 */
export function minimise(lts: Lts): Lts {
  const n = lts.nStates;
  let block = new Int32Array(n);
  let count = 1;
  for (let round = 0; round <= n; round++) {
    const ids = new Map<string, number>();
    const next = new Int32Array(n);
    for (let s = 0; s < n; s++) {
      const sig: string[] = [];
      for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
        const t = lts.targets[e]!;
        sig.push(`${lts.labels[e]}:${t < 0 ? 'E' : block[t]}`);
      }
      const key = `${block[s]}|${[...new Set(sig)].sort().join(',')}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      next[s] = id;
    }
    block = next;
    if (ids.size === count) break;
    count = ids.size;
  }
  if (count === n) return lts;
  // Blocks numbered so the initial state's block is 0, then BFS order via reachable().
  const s2 = new IntVec();
  const l2 = new IntVec();
  const d2 = new IntVec();
  const swap = (b: number) => (b === block[0] ? 0 : b === 0 ? block[0]! : b);
  for (let s = 0; s < n; s++)
    for (let e = lts.offsets[s]!; e < lts.offsets[s + 1]!; e++) {
      const t = lts.targets[e]!;
      s2.push(swap(block[s]!));
      l2.push(lts.labels[e]!);
      d2.push(t < 0 ? t : swap(block[t]!));
    }
  return reachable(
    fromEdges(
      lts.name,
      lts.actions,
      count,
      s2.view(),
      l2.view(),
      d2.view(),
      lts.alphabet,
      lts.endState >= 0 ? swap(block[lts.endState]!) : -1,
    ),
  );
}

/** The LTS with its moves into ERROR removed (what a `constraint` allows). */
export function withoutErrors(lts: Lts): Lts {
  const { src, lab, dst } = edgesOf(lts);
  const keep: number[] = [];
  for (let e = 0; e < src.length; e++) if (dst[e] !== ERROR_STATE) keep.push(e);
  const pick = (arr: Int32Array) => Int32Array.from(keep, (e) => arr[e]!);
  return reachable(fromEdges(lts.name, lts.actions, lts.nStates, pick(src), pick(lab), pick(dst), lts.alphabet));
}
