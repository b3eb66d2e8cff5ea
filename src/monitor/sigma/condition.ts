/**
 * The Sigma `condition` language: a recursive-descent parser with the specification's precedence
 * (least to most binding: or, and, not, `x of`, parentheses), compiled once into closures.
 */

export type ConditionNode =
  | { t: 'id'; name: string }
  | { t: 'and' | 'or'; items: ConditionNode[] }
  | { t: 'not'; item: ConditionNode }
  | { t: 'of'; quant: 'one' | 'all'; pattern: string | null };

export class ConditionSyntaxError extends Error {
  override name = 'ConditionSyntaxError';
}

type Tok = { kind: 'lp' | 'rp' | 'word'; text: string; at: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  const re = /\s*(?:(\()|(\))|([A-Za-z0-9_*.\-]+)|(\S))/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < src.length && (m = re.exec(src)) !== null) {
    const at = m.index + (m[0].length - m[0].trimStart().length);
    if (m[1]) out.push({ kind: 'lp', text: '(', at });
    else if (m[2]) out.push({ kind: 'rp', text: ')', at });
    else if (m[3]) out.push({ kind: 'word', text: m[3], at });
    else if (m[4] === '|')
      throw new ConditionSyntaxError(
        `aggregation expressions ('|' at ${at}) are obsolete in Sigma; write a correlation rule`,
      );
    else if (m[4]) throw new ConditionSyntaxError(`unexpected character '${m[4]}' at ${at}`);
  }
  return out;
}

const RESERVED = new Set(['and', 'or', 'not', 'of', 'them', 'all', '1']);

export function parseCondition(src: string): ConditionNode {
  const toks = tokenize(src);
  let pos = 0;
  const peekWord = (): string | undefined => {
    const t = toks[pos];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  };
  const where = (): string => (toks[pos] ? `'${toks[pos]?.text}' at ${toks[pos]?.at}` : 'the end');

  const parseOr = (): ConditionNode => {
    const items = [parseAnd()];
    while (peekWord() === 'or') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as ConditionNode) : { t: 'or', items };
  };
  const parseAnd = (): ConditionNode => {
    const items = [parseNot()];
    while (peekWord() === 'and') {
      pos++;
      items.push(parseNot());
    }
    return items.length === 1 ? (items[0] as ConditionNode) : { t: 'and', items };
  };
  const parseNot = (): ConditionNode => {
    if (peekWord() === 'not') {
      pos++;
      return { t: 'not', item: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const tok = toks[pos];
    if (!tok) throw new ConditionSyntaxError('unexpected end of condition');
    if (tok.kind === 'lp') {
      pos++;
      const inner = parseOr();
      if (toks[pos]?.kind !== 'rp') throw new ConditionSyntaxError(`expected ')' but found ${where()}`);
      pos++;
      return inner;
    }
    if (tok.kind === 'rp') throw new ConditionSyntaxError(`unexpected ')' at ${tok.at}`);
    const word = tok.text.toLowerCase();
    if (word === '1' || word === 'all') {
      pos++;
      if (peekWord() !== 'of') throw new ConditionSyntaxError(`expected 'of' after '${tok.text}' but found ${where()}`);
      pos++;
      const target = toks[pos];
      if (
        target?.kind !== 'word' ||
        (RESERVED.has(target.text.toLowerCase()) && target.text.toLowerCase() !== 'them')
      ) {
        throw new ConditionSyntaxError(`expected a search identifier pattern or 'them' but found ${where()}`);
      }
      pos++;
      const quant = word === '1' ? 'one' : 'all';
      return { t: 'of', quant, pattern: target.text.toLowerCase() === 'them' ? null : target.text };
    }
    if (RESERVED.has(word)) throw new ConditionSyntaxError(`unexpected '${tok.text}' at ${tok.at}`);
    if (tok.text.includes('*'))
      throw new ConditionSyntaxError(`wildcards need '1 of' or 'all of' ('${tok.text}' at ${tok.at})`);
    pos++;
    return { t: 'id', name: tok.text };
  };

  if (toks.length === 0) throw new ConditionSyntaxError('empty condition');
  const node = parseOr();
  if (pos < toks.length) throw new ConditionSyntaxError(`unexpected ${where()}`);
  return node;
}

function globToRegex(pattern: string): RegExp {
  return new RegExp(
    '^' +
      pattern
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
}

/** The identifiers an `x of` pattern covers; `them` leaves out those starting with `_`. */
export function expandPattern(pattern: string | null, identifiers: readonly string[]): string[] {
  if (pattern === null) return identifiers.filter((n) => !n.startsWith('_'));
  const re = globToRegex(pattern);
  return identifiers.filter((n) => re.test(n));
}

/** Compile to one closure over the identifiers' tests; unknown identifiers are errors. */
export function compileCondition<E>(
  node: ConditionNode,
  tests: ReadonlyMap<string, (ev: E) => boolean>,
): (ev: E) => boolean {
  const names = [...tests.keys()];
  const build = (n: ConditionNode): ((ev: E) => boolean) => {
    switch (n.t) {
      case 'id': {
        const t = tests.get(n.name);
        if (!t) throw new ConditionSyntaxError(`unknown search identifier '${n.name}'`);
        return t;
      }
      case 'not': {
        const inner = build(n.item);
        return (ev) => !inner(ev);
      }
      case 'and':
      case 'or': {
        const parts = n.items.map(build);
        return n.t === 'and' ? allOf(parts) : anyOf(parts);
      }
      case 'of': {
        const covered = expandPattern(n.pattern, names);
        if (covered.length === 0)
          throw new ConditionSyntaxError(`'${n.pattern ?? 'them'}' matches no search identifier`);
        const parts = covered.map((c) => tests.get(c) as (ev: E) => boolean);
        return n.quant === 'all' ? allOf(parts) : anyOf(parts);
      }
    }
  };
  return build(node);
}

function allOf<E>(parts: ((ev: E) => boolean)[]): (ev: E) => boolean {
  if (parts.length === 1) return parts[0] as (ev: E) => boolean;
  if (parts.length === 2) {
    const [a, b] = parts as [(ev: E) => boolean, (ev: E) => boolean];
    return (ev) => a(ev) && b(ev);
  }
  return (ev) => {
    for (const p of parts) if (!p(ev)) return false;
    return true;
  };
}

function anyOf<E>(parts: ((ev: E) => boolean)[]): (ev: E) => boolean {
  if (parts.length === 1) return parts[0] as (ev: E) => boolean;
  if (parts.length === 2) {
    const [a, b] = parts as [(ev: E) => boolean, (ev: E) => boolean];
    return (ev) => a(ev) || b(ev);
  }
  return (ev) => {
    for (const p of parts) if (p(ev)) return true;
    return false;
  };
}
