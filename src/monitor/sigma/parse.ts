/**
 * parseSigmaRules: YAML text (one or more documents) -> validated SigmaRule objects. Every problem
 * is reported as MONITOR_RULE_INVALID with the file, the field path and the line it sits on.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { MsecError } from '../../core/errors.ts';
import { SigmaCompileError } from './compile-error.ts';
import { parseCorrelationSection } from './correlation-spec.ts';
import { compileDetectionCached } from './detection.ts';
import { validateDocument } from './validate.ts';
import type { SigmaLevel, SigmaLogsource, SigmaRule } from './types.ts';

export interface RuleProblem {
  line?: number;
  field?: string;
  message: string;
}

const LEVELS: readonly SigmaLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];
/** A rule without `level` is treated as medium (the Sigma default is unspecified). */
const DEFAULT_LEVEL: SigmaLevel = 'medium';

function fieldName(path: readonly (string | number)[]): string | undefined {
  return path.length === 0 ? undefined : path.map((p) => String(p)).join('.');
}

/** The line of the node a JSON path points at, or of the deepest ancestor that exists. */
function lineOf(doc: Document, path: readonly (string | number)[], lc: LineCounter): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function toRule(raw: Record<string, unknown>, file: string, line: number, index: number): SigmaRule {
  const kind = raw['correlation'] !== undefined ? 'correlation' : 'detection';
  // Sigma makes `id` optional; alerts need a stable handle, so fall back to the name, then to the
  // document's place in its file.
  const id = str(raw['id']) ?? str(raw['name']) ?? `${file}#${index + 1}`;
  const level = (raw['level'] as SigmaLevel | undefined) ?? DEFAULT_LEVEL;
  const rule: SigmaRule = {
    kind,
    id,
    title: raw['title'] as string,
    level: LEVELS.includes(level) ? level : DEFAULT_LEVEL,
    tags: strList(raw['tags']) ?? [],
    logsource: {},
    file,
    line,
    raw,
  };
  const optional = {
    name: str(raw['name']),
    status: str(raw['status']),
    description: str(raw['description']),
    author: str(raw['author']),
    date: str(raw['date']),
  };
  for (const [k, v] of Object.entries(optional))
    if (v !== undefined) (rule as unknown as Record<string, unknown>)[k] = v;
  const lists = {
    references: strList(raw['references']),
    falsepositives: strList(raw['falsepositives']),
    fields: strList(raw['fields']),
  };
  for (const [k, v] of Object.entries(lists)) if (v !== undefined) (rule as unknown as Record<string, unknown>)[k] = v;
  if (kind === 'correlation') {
    rule.correlation = parseCorrelationSection(raw['correlation'] as Record<string, unknown>);
    rule.correlation.generate = raw['generate'] === true;
  } else {
    const ls = (raw['logsource'] ?? {}) as Record<string, unknown>;
    const logsource: SigmaLogsource = {};
    for (const k of ['product', 'category', 'service'] as const) if (typeof ls[k] === 'string') logsource[k] = ls[k];
    rule.logsource = logsource;
    rule.detection = raw['detection'] as Record<string, unknown>;
    // Compile now so that errors surface at parse time; the engine compiles again from the same data.
    compileDetectionCached(rule.detection);
  }
  return rule;
}

function documentProblems(doc: Document, raw: unknown, lc: LineCounter): RuleProblem[] {
  const at = (path: readonly (string | number)[], message: string): RuleProblem => {
    const line = lineOf(doc, path, lc);
    const field = fieldName(path);
    return {
      ...(line !== undefined ? { line } : {}),
      ...(field ? { field } : {}),
      message: field ? `${field}: ${message}` : message,
    };
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return [at([], 'a rule document must be a YAML map')];
  const obj = raw as Record<string, unknown>;
  if (obj['filter'] !== undefined && obj['detection'] === undefined)
    return [at(['filter'], 'Sigma filters are not supported; put the exclusion in the rule or disable it')];
  if (obj['action'] !== undefined)
    return [at(['action'], 'Sigma v1 rule collections (action: global/reset/repeat) are not supported')];
  const kind = obj['correlation'] !== undefined ? 'correlation' : 'detection';
  const schemaProblems = validateDocument(obj, kind);
  if (schemaProblems.length > 0) return schemaProblems.map((p) => at(p.path, p.message));
  return [];
}

export function parseSigmaRules(text: string, file: string): SigmaRule[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: RuleProblem[] = [];
  const rules: SigmaRule[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) problems.push({ message: 'not a YAML stream' });
  for (const [index, doc] of list.entries()) {
    // The line where the document's content starts (after any `---`).
    const line = lc.linePos((doc.contents as Node | null)?.range?.[0] ?? doc.range[0]).line;
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        problems.push({ line: lc.linePos(e.pos[0]).line, message: `YAML: ${e.message.split('\n')[0] ?? e.message}` });
      continue;
    }
    if (doc.contents === null) continue; // an empty document (e.g. a trailing ---)
    const raw: unknown = doc.toJS({ maxAliasCount: 100 });
    const found = documentProblems(doc, raw, lc);
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    try {
      rules.push(toRule(raw as Record<string, unknown>, file, line, index));
    } catch (err) {
      if (!(err instanceof SigmaCompileError)) throw err;
      const l = lineOf(doc, err.path, lc);
      const field = fieldName(err.path);
      problems.push({
        ...(l !== undefined ? { line: l } : {}),
        ...(field ? { field } : {}),
        message: field ? `${field}: ${err.message}` : err.message,
      });
    }
  }
  if (problems.length === 0 && rules.length === 0) problems.push({ message: 'no rule in the file' });
  if (problems.length > 0) {
    const first = problems[0] as RuleProblem;
    const where = `${file}${first.line !== undefined ? `:${first.line}` : ''}`;
    throw new MsecError(
      'MONITOR_RULE_INVALID',
      `${where}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
      {
        status: 400,
        details: {
          file,
          ...(first.line !== undefined ? { line: first.line } : {}),
          ...(first.field ? { field: first.field } : {}),
          errors: problems,
        },
      },
    );
  }
  return rules;
}
