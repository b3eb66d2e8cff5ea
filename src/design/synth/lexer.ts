import { fspError, type SourcePos } from './errors.ts';

export type TokenKind = 'ident' | 'number' | 'label' | 'op' | 'eof';

export interface Token extends SourcePos {
  kind: TokenKind;
  text: string;
  /** Offset of the first character, and whether whitespace came before (for `[]` and `<>`). */
  offset: number;
  spaced: boolean;
}

// Longest first: the lexer tries each in order at every position.
const OPS = [
  '->',
  '||',
  '&&',
  '==',
  '!=',
  '<=',
  '>=',
  '<<',
  '>>',
  '::',
  '..',
  '<>',
  '|',
  '&',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '\\',
  '!',
  '?',
  '@',
  '~',
  ':',
  '.',
  ',',
  ';',
  '=',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '^',
];

/** Tokenises FSP source: identifiers, integers, `'label` constants, operators; comments are skipped. */
export function tokenize(src: string, file?: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let spaced = true;
  const pos = (at: number): SourcePos => ({ line, col: at - lineStart + 1 });
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      spaced = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') {
      i++;
      spaced = true;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      spaced = true;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const start = pos(i);
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw fspError('SYNTAX', 'unterminated comment', start, file);
      for (let k = i; k < end; k++)
        if (src[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      i = end + 2;
      spaced = true;
      continue;
    }
    const start = i;
    const p = pos(i);
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      out.push({ kind: 'ident', text: src.slice(start, i), offset: start, spaced, ...p });
    } else if (/[0-9]/.test(c)) {
      while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      out.push({ kind: 'number', text: src.slice(start, i), offset: start, spaced, ...p });
    } else if (c === "'" && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      i++;
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i]!)) i++;
      out.push({ kind: 'label', text: src.slice(start + 1, i), offset: start, spaced, ...p });
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (!op) throw fspError('SYNTAX', `unexpected character ${JSON.stringify(c)}`, p, file);
      i += op.length;
      out.push({ kind: 'op', text: op, offset: start, spaced, ...p });
    }
    spaced = false;
  }
  out.push({ kind: 'eof', text: '', offset: src.length, spaced: true, ...pos(i) });
  return out;
}
