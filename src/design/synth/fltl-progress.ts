/**
 * Safety LTL by formula progression: a formula in negation normal form over opaque propositions,
 * rewritten after each step (`prog`); it has failed when it simplifies to false. Only the safety
 * fragment is representable: X, [] and W (weak until) under ∧/∨; <>, U and R appear only where a
 * negation turns them into safety operators.
 */
export type Tf =
  | { k: 't' | 'f' }
  | { k: 'p'; id: number }
  | { k: 'and' | 'or'; a: Tf[] }
  | { k: 'X' | 'G'; e: Tf }
  | { k: 'W'; l: Tf; r: Tf };

export const TRUE: Tf = { k: 't' };
export const FALSE: Tf = { k: 'f' };

export function key(f: Tf): string {
  switch (f.k) {
    case 't':
    case 'f':
      return f.k;
    case 'p':
      return `p${f.id}`;
    case 'and':
    case 'or':
      return `${f.k}(${f.a.map(key).join(',')})`;
    case 'X':
    case 'G':
      return `${f.k}(${key(f.e)})`;
    case 'W':
      return `W(${key(f.l)},${key(f.r)})`;
  }
}

function junction(k: 'and' | 'or', xs: Tf[]): Tf {
  const absorb = k === 'and' ? 'f' : 't';
  const unit = k === 'and' ? 't' : 'f';
  const out = new Map<string, Tf>();
  const add = (x: Tf) => {
    if (x.k === k) x.a.forEach(add);
    else if (x.k !== unit) out.set(key(x), x);
  };
  xs.forEach(add);
  for (const x of out.values()) if (x.k === absorb) return x;
  const items = [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  if (!items.length) return k === 'and' ? TRUE : FALSE;
  return items.length === 1 ? items[0]! : { k, a: items };
}

export const and = (xs: Tf[]) => junction('and', xs);
export const or = (xs: Tf[]) => junction('or', xs);

/** What `f` requires of the rest of the trace after a step where the propositions hold as `holds` says. */
export function prog(f: Tf, holds: (id: number) => boolean): Tf {
  switch (f.k) {
    case 't':
    case 'f':
      return f;
    case 'p':
      return holds(f.id) ? TRUE : FALSE;
    case 'and':
      return and(f.a.map((x) => prog(x, holds)));
    case 'or':
      return or(f.a.map((x) => prog(x, holds)));
    case 'X':
      return f.e;
    case 'G':
      return and([prog(f.e, holds), f]);
    case 'W':
      return or([prog(f.r, holds), and([prog(f.l, holds), f])]);
  }
}
