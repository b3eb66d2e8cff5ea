/**
 * A rule's `detection` section compiled into one test on the event document: search identifiers
 * (maps are AND of their items, lists are OR of their elements) joined by the compiled condition.
 */
import { fail } from './compile-error.ts';
import { compileCondition, ConditionSyntaxError, parseCondition } from './condition.ts';
import { collectLeafTexts, type FieldGetter } from './fields.ts';
import { compileItem, type DocTest } from './modifiers.ts';

type Path = readonly (string | number)[];

// Keyword searches look at every value of the event; collect them once per document.
const leafCache = new WeakMap<object, string[]>();
const keywordGetter: FieldGetter = (doc) => {
  let texts = leafCache.get(doc);
  if (!texts) {
    texts = [];
    collectLeafTexts(doc, texts);
    leafCache.set(doc, texts);
  }
  return texts;
};

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function compileMap(map: Record<string, unknown>, path: Path): DocTest {
  const keys = Object.keys(map);
  if (keys.length === 0) fail(path, 'a selection map needs at least one field');
  const items = keys.map((k) => compileItem(k, map[k], [...path, k], keywordGetter));
  if (items.length === 1) return items[0] as DocTest;
  return (doc) => {
    for (const t of items) if (!t(doc)) return false;
    return true;
  };
}

function compileSearch(value: unknown, path: Path): DocTest {
  if (isMap(value)) return compileMap(value, path);
  if (!Array.isArray(value)) return fail(path, 'a search identifier must be a map or a list');
  if (value.length === 0) fail(path, 'empty search identifier list');
  const parts: DocTest[] = [];
  const keywords: unknown[] = [];
  value.forEach((el, i) => {
    if (isMap(el)) parts.push(compileMap(el, [...path, i]));
    else if (Array.isArray(el)) fail([...path, i], 'nested lists are not Sigma');
    else keywords.push(el);
  });
  if (keywords.length > 0) parts.push(compileItem('', keywords, path, keywordGetter));
  if (parts.length === 1) return parts[0] as DocTest;
  return (doc) => {
    for (const t of parts) if (t(doc)) return true;
    return false;
  };
}

export function compileDetection(detection: Record<string, unknown>, path: Path = ['detection']): DocTest {
  const tests = new Map<string, DocTest>();
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition') continue;
    tests.set(name, compileSearch(value, [...path, name]));
  }
  const cond = detection['condition'];
  const sources = Array.isArray(cond) ? cond : [cond];
  if (sources.length === 0) fail([...path, 'condition'], 'empty condition list');
  const compiled = sources.map((src, i) => {
    const at = Array.isArray(cond) ? [...path, 'condition', i] : [...path, 'condition'];
    if (typeof src !== 'string') fail(at, 'a condition is a string');
    try {
      return compileCondition(parseCondition(src), tests);
    } catch (err) {
      if (err instanceof ConditionSyntaxError) fail(at, `condition: ${err.message}`);
      throw err;
    }
  });
  // A list of conditions is linked with OR (Sigma).
  if (compiled.length === 1) return compiled[0] as DocTest;
  return (doc) => compiled.some((c) => c(doc));
}
