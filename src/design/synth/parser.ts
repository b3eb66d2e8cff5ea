import type { CompositeKind, Decl, Fltl, FspSpec, Modifiers, SpecEntry } from './ast.ts';
import { Cursor } from './parser-core.ts';
import { compositeDef, processDef } from './parser-process.ts';

const COMPOSITE_KINDS: Record<string, CompositeKind> = {
  controller: 'controller',
  heuristic: 'heuristic',
  checkCompatibility: 'checkCompatibility',
  starenv: 'starenv',
  compose: 'compose',
};

/** Parses an FSP / MTSA specification into declarations; throws DESIGN_FSP_SYNTAX with line and column. */
export function parseFsp(src: string, file?: string): FspSpec {
  const c = new Cursor(src, file);
  const decls: Decl[] = [];
  while (c.t.kind !== 'eof') decls.push(decl(c));
  return { file, decls };
}

function decl(c: Cursor): Decl {
  const pos = c.pos();
  const kw = c.t.kind === 'ident' ? c.t.text : '';
  switch (kw) {
    case 'const': {
      c.i++;
      const name = c.ident().text;
      c.expect('=');
      return { kind: 'const', name, e: c.expr(), pos };
    }
    case 'range': {
      c.i++;
      const name = c.ident().text;
      c.expect('=');
      const lo = c.expr();
      c.expect('..');
      return { kind: 'range', name, lo, hi: c.expr(), pos };
    }
    case 'set': {
      c.i++;
      const name = c.ident().text;
      c.expect('=');
      return { kind: 'set', name, set: c.actSet(), pos };
    }
    case 'menu':
    case 'progress': {
      c.i++;
      const name = c.ident().text;
      const binders = c.binders();
      c.expect('=');
      return { kind: kw, name, binders, set: c.actSet(), pos };
    }
    case 'fluent': {
      c.i++;
      const name = c.ident().text;
      const binders = c.binders();
      c.expect('=');
      c.expect('<');
      const on = c.actSet();
      c.expect(',');
      const off = c.actSet();
      c.expect('>');
      return { kind: 'fluent', name, binders, on, off, initially: c.accept('initially') ? c.expr() : null, pos };
    }
    case 'assert':
    case 'ltl_property':
    case 'constraint': {
      c.i++;
      const name = c.ident().text;
      const binders = c.binders();
      c.expect('=');
      return { kind: kw, name, binders, f: fltl(c), pos };
    }
    case 'controllerSpec':
    case 'updatingController': {
      c.i++;
      const name = c.ident().text;
      c.expect('=');
      return { kind: kw, name, entries: specEntries(c), pos };
    }
  }
  const mods: Modifiers = { property: false, deterministic: false, minimal: false };
  let compKind: CompositeKind = 'plain';
  for (;;) {
    if (c.accept('property')) mods.property = true;
    else if (c.accept('deterministic')) mods.deterministic = true;
    else if (c.accept('minimal')) mods.minimal = true;
    else if (c.t.kind === 'ident' && COMPOSITE_KINDS[c.t.text] && c.peek().text === '||')
      compKind = COMPOSITE_KINDS[c.toks[c.i++]!.text]!;
    else break;
  }
  if (c.isOp('||')) return compositeDef(c, mods, compKind);
  if (compKind !== 'plain') c.fail(`expected "||" after ${compKind}`);
  if (c.t.kind === 'ident' && /^[A-Z]/.test(c.t.text)) return processDef(c, mods);
  return c.fail(`expected a declaration but found ${c.describe()}`);
}

function specEntries(c: Cursor): SpecEntry[] {
  c.expect('{');
  const out: SpecEntry[] = [];
  while (!c.isOp('}')) {
    const pos = c.pos();
    const key = c.ident('a specification entry').text;
    const value = c.accept('=') ? c.actSet() : null;
    out.push({ key, value, pos });
    c.accept(',');
  }
  c.expect('}');
  return out;
}

// ---- FLTL: parsed so specifications are accepted; evaluation refuses it ----
function fltl(c: Cursor): Fltl {
  const l = fOr(c);
  if (c.accept('->')) return { k: 'bin', op: '->', l, r: fltl(c) };
  if (c.isOp('<') && c.peek().text === '->' && !c.peek().spaced) {
    c.i += 2;
    return { k: 'bin', op: '<->', l, r: fltl(c) };
  }
  return l;
}
function fOr(c: Cursor): Fltl {
  let l = fAnd(c);
  // `||Name =` on the next line starts a composite, not a disjunction.
  while (c.isOp('||') && !(c.peek().kind === 'ident' && ['=', '('].includes(c.peek(2).text))) {
    c.i++;
    l = { k: 'bin', op: '||', l, r: fAnd(c) };
  }
  return l;
}
function fAnd(c: Cursor): Fltl {
  let l = fUntil(c);
  while (c.accept('&&')) l = { k: 'bin', op: '&&', l, r: fUntil(c) };
  return l;
}
function fUntil(c: Cursor): Fltl {
  let l = fUnary(c);
  while (c.t.kind === 'ident' && ['U', 'W', 'R'].includes(c.t.text)) {
    const op = c.toks[c.i++]!.text;
    l = { k: 'bin', op, l, r: fUnary(c) };
  }
  return l;
}
function fUnary(c: Cursor): Fltl {
  const pos = c.pos();
  if (c.accept('!')) return { k: 'not', e: fUnary(c) };
  if (c.isOp('[') && c.peek().text === ']') {
    c.i += 2;
    return { k: 'always', e: fUnary(c) };
  }
  if (c.accept('<>')) return { k: 'eventually', e: fUnary(c) };
  if (
    c.t.kind === 'ident' &&
    c.t.text === 'X' &&
    (c.peek().kind !== 'op' || ['(', '!', '<>', '['].includes(c.peek().text))
  ) {
    c.i++;
    return { k: 'next', e: fUnary(c) };
  }
  if (c.t.kind === 'ident' && (c.t.text === 'exists' || c.t.text === 'forall') && c.peek().text === '[') {
    const q = c.toks[c.i++]!.text as 'exists' | 'forall';
    const bs = c.binders();
    if (!bs.length) c.fail(`expected [v:Range] after ${q}`);
    let e = fUnary(c);
    for (const b of bs.reverse()) e = { k: 'quant', q, v: b.v, dom: b.dom, e };
    return e;
  }
  if (c.accept('(')) {
    const e = fltl(c);
    c.expect(')');
    return e;
  }
  const name = c.ident('a fluent, action or formula').text;
  if (name === 'true' || name === 'false') return { k: 'bool', v: name === 'true' };
  const idx = [];
  while (c.isOp('[') && !c.t.spaced) {
    c.i++;
    idx.push(c.expr());
    if (c.accept('..')) c.expr();
    c.expect(']');
  }
  return { k: 'atom', name, idx, pos };
}
