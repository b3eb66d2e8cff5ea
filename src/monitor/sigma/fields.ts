/**
 * Field access by dotted ECS path, compiled once per rule field. ECS documents are nested
 * (`{source:{ip}}`) but may also carry flat dotted keys (`{"source.ip": …}`), so a getter walks the
 * nesting first and falls back to the flat key. Arrays on the way are flattened (Elasticsearch
 * semantics: a field matches when any of its values matches).
 */

export type FieldGetter = (doc: Record<string, unknown>) => unknown;

/** Sentinel: the field is absent (distinct from a present `null`). */
export const MISSING: unique symbol = Symbol('missing');

/** Names an object inherits from Object.prototype: only for these must a read be checked as own. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

function walk(value: unknown, parts: readonly string[], inherited: readonly boolean[], from: number): unknown {
  let cur: unknown = value;
  for (let i = from; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object') return MISSING;
    if (Array.isArray(cur)) {
      const out: unknown[] = [];
      for (const item of cur) {
        const v = walk(item, parts, inherited, i);
        if (v === MISSING) continue;
        if (Array.isArray(v)) out.push(...v);
        else out.push(v);
      }
      return out.length === 0 ? MISSING : out;
    }
    const key = parts[i] as string;
    // One read in the common case; `undefined` or an inheritable name is checked as own.
    const next = (cur as Record<string, unknown>)[key];
    if ((next === undefined || inherited[i]) && !Object.hasOwn(cur, key)) return MISSING;
    cur = next;
  }
  return cur;
}

export function compileGetter(path: string): FieldGetter {
  const parts = path.split('.');
  if (parts.length === 1) {
    return (doc) => (Object.hasOwn(doc, path) ? doc[path] : MISSING);
  }
  const inherited = parts.map((p) => INHERITED.has(p));
  return (doc) => {
    const v = walk(doc, parts, inherited, 0);
    if (v !== MISSING) return v;
    return Object.hasOwn(doc, path) ? doc[path] : MISSING;
  };
}

/** A scalar as Sigma compares it: strings as they are, numbers and booleans by their text. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** Every string leaf of a document (for Sigma keyword searches across the whole event). */
export function collectLeafTexts(value: unknown, out: string[], depth = 0): void {
  if (depth > 32) return;
  const t = scalarText(value);
  if (t !== undefined) {
    out.push(t);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const item of items) collectLeafTexts(item, out, depth + 1);
}
