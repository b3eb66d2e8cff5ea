import type { ActSet, Domain, Expr, Label, LabelPart } from './ast.ts';
import { fspError, type SourcePos } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';

const BINARY_LEVELS: string[][] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%', '\\'],
];

/** Token cursor with the expression, label and action-set grammar shared by all FSP constructs. */
export class Cursor {
  readonly toks: Token[];
  i = 0;
  constructor(
    src: string,
    readonly file?: string,
  ) {
    this.toks = tokenize(src, file);
  }

  get t(): Token {
    return this.toks[this.i]!;
  }
  peek(n = 1): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }
  pos(): SourcePos {
    return { line: this.t.line, col: this.t.col };
  }
  is(text: string): boolean {
    return this.t.text === text && (this.t.kind === 'op' || this.t.kind === 'ident');
  }
  isOp(text: string): boolean {
    return this.t.kind === 'op' && this.t.text === text;
  }
  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.i++;
    return true;
  }
  expect(text: string, what?: string): Token {
    if (!this.is(text)) this.fail(`expected ${what ?? `"${text}"`} but found ${this.describe()}`);
    return this.toks[this.i++]!;
  }
  ident(what = 'a name'): Token {
    if (this.t.kind !== 'ident') this.fail(`expected ${what} but found ${this.describe()}`);
    return this.toks[this.i++]!;
  }
  describe(t: Token = this.t): string {
    return t.kind === 'eof' ? 'the end of the file' : `"${t.kind === 'label' ? "'" : ''}${t.text}"`;
  }
  fail(message: string, at: SourcePos = this.pos()): never {
    throw fspError('SYNTAX', message, at, this.file);
  }

  // ---- expressions ----
  expr(level = 0): Expr {
    if (level >= BINARY_LEVELS.length) return this.unary();
    let l = this.expr(level + 1);
    const ops = BINARY_LEVELS[level]!;
    while (this.t.kind === 'op' && ops.includes(this.t.text)) {
      const op = this.toks[this.i++]!.text;
      l = { k: 'bin', op: op === '\\' ? '/' : op, l, r: this.expr(level + 1) };
    }
    return l;
  }
  private unary(): Expr {
    if (this.isOp('-') || this.isOp('!') || this.isOp('+')) {
      const op = this.toks[this.i++]!.text;
      return { k: 'un', op, e: this.unary() };
    }
    return this.primary();
  }
  private primary(): Expr {
    const t = this.t;
    if (t.kind === 'number') {
      this.i++;
      return { k: 'num', v: Number(t.text) };
    }
    if (t.kind === 'label') {
      this.i++;
      // 'a[1] is the label a.1 (as in fluent indices).
      let v = t.text;
      while (this.isOp('[') && !this.t.spaced) {
        this.i++;
        const e = this.expr();
        this.expect(']');
        v += `.${e.k === 'num' ? e.v : e.k === 'label' ? e.v : this.fail('a label constant index must be a literal')}`;
      }
      return { k: 'label', v };
    }
    if (t.kind === 'ident') {
      this.i++;
      return { k: 'name', name: t.text, pos: { line: t.line, col: t.col } };
    }
    if (this.accept('(')) {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    return this.fail(`expected an expression but found ${this.describe()}`);
  }

  // ---- domains, labels, action sets ----
  /** After `[v:` — a range `lo..hi`, a range or set name, or a set literal. */
  domain(): Domain {
    if (this.isOp('{')) return { k: 'set', set: this.label() };
    const start = this.pos();
    const lo = this.expr();
    if (this.accept('..')) return { k: 'range', lo, hi: this.expr() };
    if (lo.k === 'name') return { k: 'name', name: lo.name, pos: start };
    return this.fail('expected a range or a set', start);
  }
  /** `[v:D]` binders after a definition name. */
  binders(): { v: string; dom: Domain }[] {
    const out: { v: string; dom: Domain }[] = [];
    while (this.isOp('[') && this.peek().kind === 'ident' && this.peek(2).text === ':') {
      this.i++;
      const v = this.ident().text;
      this.expect(':');
      out.push({ v, dom: this.domain() });
      this.expect(']');
    }
    return out;
  }
  private bracket(): LabelPart {
    this.expect('[');
    let part: LabelPart;
    if (this.t.kind === 'ident' && this.peek().text === ':' && this.peek().kind === 'op') {
      const v = this.ident().text;
      this.i++;
      part = { k: 'bind', v, dom: this.domain() };
    } else {
      const e = this.expr();
      part = this.accept('..') ? { k: 'dom', dom: { k: 'range', lo: e, hi: this.expr() } } : { k: 'idx', e };
    }
    this.expect(']');
    return part;
  }
  startsLabel(): boolean {
    return (this.t.kind === 'ident' && !isKeyword(this.t.text)) || this.isOp('{') || this.isOp('[');
  }
  /** An action label: `a.b[i][j:R]`, `{x,y}.z`, `Set.a`, `[i].enter`. */
  label(): Label {
    const pos = this.pos();
    const parts: LabelPart[] = [this.labelStep()];
    for (;;) {
      if (this.isOp('[') && !this.t.spaced) parts.push(this.bracket());
      else if (
        this.isOp('.') &&
        !this.t.spaced &&
        !this.peek().spaced &&
        (this.peek().kind === 'ident' || ['{', '['].includes(this.peek().text))
      ) {
        this.i++;
        parts.push(this.labelStep());
      } else break;
    }
    return { parts, pos };
  }
  private labelStep(): LabelPart {
    if (this.isOp('[')) return this.bracket();
    if (this.accept('{')) {
      const items: ActSet[] = [];
      while (!this.isOp('}')) {
        items.push(this.actSet());
        if (!this.accept(',')) break;
      }
      this.expect('}', '"}" or ","');
      return { k: 'set', items };
    }
    const t = this.ident('an action label');
    return /^[A-Z]/.test(t.text)
      ? { k: 'setname', name: t.text, pos: { line: t.line, col: t.col } }
      : { k: 'id', name: t.text };
  }
  /** A label, or labels with set difference `A\B`. */
  actSet(): ActSet {
    let s: ActSet = { k: 'label', label: this.label() };
    while (this.isOp('\\') && (this.peek().kind === 'ident' || this.peek().text === '{')) {
      const pos = this.pos();
      this.i++;
      s = { k: 'diff', l: s, r: { k: 'label', label: this.label() }, pos };
    }
    return s;
  }
}

const KEYWORDS = new Set([
  'when',
  'if',
  'then',
  'else',
  'forall',
  'foreach',
  'STOP',
  'ERROR',
  'END',
  'const',
  'range',
  'set',
  'property',
  'minimal',
  'deterministic',
  'progress',
  'menu',
]);
export function isKeyword(s: string): boolean {
  return KEYWORDS.has(s);
}
