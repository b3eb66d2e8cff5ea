/**
 * Sigma string values: wildcards (`*`, `?`) and the backslash escapes of the Sigma specification,
 * compiled once into the cheapest test that decides them (equality, prefix, suffix, substring, or an
 * anchored regular expression only when wildcards sit inside the value).
 */

export type Token =
  | { kind: 'lit'; text: string }
  | { kind: 'star' }
  | { kind: 'one' }
  /** windash: any of `-`, `/`, en dash, em dash, horizontal bar. */
  | { kind: 'dash' };

export const DASH_CHARS = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;

/**
 * Sigma escaping: a backslash escapes `*`, `?` and `\`; before any other character it is a plain
 * backslash. So `\*` is a literal star, `\\*` a backslash then a wildcard, `\\\*` a backslash then a
 * literal star, and `\\\\` two backslashes.
 */
export function parseSigmaString(s: string): Token[] {
  const out: Token[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) out.push({ kind: 'lit', text: lit });
    lit = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') {
      const next = s[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*') {
      flush();
      // Consecutive stars mean the same as one.
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else if (c === '?') {
      flush();
      out.push({ kind: 'one' });
    } else {
      lit += c;
    }
  }
  flush();
  return out;
}

export function literalTokens(text: string): Token[] {
  return text ? [{ kind: 'lit', text }] : [];
}

export function hasWildcards(tokens: readonly Token[]): boolean {
  return tokens.some((t) => t.kind !== 'lit');
}

/** Wrap in stars (contains), or add one at the end (startswith) or start (endswith). */
export function withStars(tokens: readonly Token[], before: boolean, after: boolean): Token[] {
  const out = [...tokens];
  if (before && out[0]?.kind !== 'star') out.unshift({ kind: 'star' });
  if (after && out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
  return out;
}

/** `-` or `/` at the start of a word (pySigma's `\B[-/]\b`) becomes a windash token. */
export function windash(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.kind !== 'lit') {
      out.push(t);
      continue;
    }
    let last = 0;
    for (const m of t.text.matchAll(/\B[-/]\b/g)) {
      const at = m.index;
      if (at > last) out.push({ kind: 'lit', text: t.text.slice(last, at) });
      out.push({ kind: 'dash' });
      last = at + 1;
    }
    if (last < t.text.length) out.push({ kind: 'lit', text: t.text.slice(last) });
  }
  return out;
}

/** A compiled string test; `lower` is `raw.toLowerCase()`, computed once per event value. */
export type StringTest = (raw: string, lower: string) => boolean;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function tokensToRegexSource(tokens: readonly Token[], lowerLiterals: boolean): string {
  let src = '^';
  for (const t of tokens) {
    if (t.kind === 'lit') src += escapeRegex(lowerLiterals ? t.text.toLowerCase() : t.text);
    else if (t.kind === 'star') src += '[\\s\\S]*';
    else if (t.kind === 'one') src += '[\\s\\S]';
    else src += '[-/\\u2013\\u2014\\u2015]';
  }
  return src + '$';
}

/** Compile tokens to the cheapest equivalent test. Case-insensitive unless `cased`. */
export function compileTokens(tokens: readonly Token[], cased: boolean): StringTest {
  const norm = (s: string): string => (cased ? s : s.toLowerCase());
  const pick = (raw: string, lower: string): string => (cased ? raw : lower);
  const n = tokens.length;
  const first = tokens[0];
  const last = tokens[n - 1];
  if (n === 0) return (raw) => raw === '';
  if (n === 1 && first?.kind === 'lit') {
    const p = norm(first.text);
    return (raw, lower) => pick(raw, lower) === p;
  }
  if (n === 1 && first?.kind === 'star') return () => true;
  if (n === 2 && first?.kind === 'lit' && last?.kind === 'star') {
    const p = norm(first.text);
    return (raw, lower) => pick(raw, lower).startsWith(p);
  }
  if (n === 2 && first?.kind === 'star' && last?.kind === 'lit') {
    const p = norm(last.text);
    return (raw, lower) => pick(raw, lower).endsWith(p);
  }
  if (n === 3 && first?.kind === 'star' && last?.kind === 'star' && tokens[1]?.kind === 'lit') {
    const p = norm(tokens[1].text);
    return (raw, lower) => pick(raw, lower).includes(p);
  }
  const re = new RegExp(tokensToRegexSource(tokens, !cased));
  return (raw, lower) => re.test(pick(raw, lower));
}
