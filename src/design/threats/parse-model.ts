import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import type { DesignDiagnosticCode } from '../errors.ts';
import { loadKb } from '../kb/kb.ts';
import { checkModel } from './check-model.ts';
import { locate } from './locate.ts';
import { modelSchema } from './model-schema.ts';
import type { Diagnostic, ThreatModel } from './model-types.ts';

/** Larger model files are refused before parsing (a model is text a person writes). */
export const MAX_MODEL_BYTES = 1024 * 1024;

export interface ParseResult {
  model?: ThreatModel;
  diagnostics: Diagnostic[];
}

let validator: ValidateFunction | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, allowUnionTypes: true });
    validator = ajv.compile(modelSchema([...loadKb().protocols.keys()]));
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

const pointer = (p: string): (string | number)[] =>
  p === ''
    ? []
    : p
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

/** `flows[2] (f-upload).protocol`: indexes plus the id of the item, which is what a reader recognises. */
function pathLabel(data: unknown, path: (string | number)[]): string {
  let node: any = data;
  let out = '';
  for (const seg of path) {
    node = node?.[seg];
    if (typeof seg === 'number') out += `[${seg}]` + (typeof node?.id === 'string' ? ` (${node.id})` : '');
    else out += (out ? '.' : '') + seg;
  }
  return out;
}

/** A stable code and a readable message for one schema violation. */
function describe(
  e: ErrorObject,
  data: unknown,
): { code: DesignDiagnosticCode; message: string; path: (string | number)[]; atKey: boolean } {
  const path = pointer(e.instancePath);
  const where = path.length ? pathLabel(data, path) : 'the model';
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required':
      return {
        code: 'DESIGN_SCHEMA_REQUIRED',
        message: `${where} lacks required property "${p.missingProperty}"`,
        path,
        atKey: false,
      };
    case 'additionalProperties':
      return {
        code: 'DESIGN_SCHEMA_UNKNOWN_PROPERTY',
        message: `${where} has unknown property "${p.additionalProperty}"`,
        path: [...path, p.additionalProperty],
        atKey: true,
      };
    case 'enum':
      return {
        code: 'DESIGN_SCHEMA_ENUM',
        message: `${where} must be one of: ${(p.allowedValues as unknown[]).join(', ')}`,
        path,
        atKey: false,
      };
    case 'type':
      return { code: 'DESIGN_SCHEMA_TYPE', message: `${where} must be ${p.type}`, path, atKey: false };
    case 'pattern':
      return { code: 'DESIGN_SCHEMA_PATTERN', message: `${where} must match ${p.pattern}`, path, atKey: false };
    case 'not':
      return {
        code: 'DESIGN_SCHEMA_EXTERNAL_MODULE',
        message: `${where} is external, so it cannot name an msec module`,
        path: [...path, 'module'],
        atKey: true,
      };
    default:
      return { code: 'DESIGN_SCHEMA_INVALID', message: `${where} ${e.message ?? 'is invalid'}`, path, atKey: false };
  }
}

/** Parses and validates a model; never throws on bad input, returns every problem found. */
export function parseModel(text: string, file: string): ParseResult {
  const at = (
    code: DesignDiagnosticCode,
    message: string,
    line = 1,
    column = 1,
    path: (string | number)[] = [],
  ): Diagnostic => ({ code, message, file, line, column, path });
  if (Buffer.byteLength(text, 'utf8') > MAX_MODEL_BYTES)
    return { diagnostics: [at('DESIGN_MODEL_TOO_LARGE', `the model is over ${MAX_MODEL_BYTES} bytes`)] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      diagnostics: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return at('DESIGN_YAML_SYNTAX', e.message.split('\n')[0]!, pos.line, pos.col);
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    return { diagnostics: [at('DESIGN_YAML_SYNTAX', (err as Error).message.split('\n')[0]!)] };
  }
  if (data === null || data === undefined)
    return { diagnostics: [at('DESIGN_MODEL_EMPTY', 'the model file is empty')] };
  const located = (
    code: DesignDiagnosticCode,
    message: string,
    path: (string | number)[],
    atKey = false,
  ): Diagnostic => {
    const { line, column } = locate(doc, lines, path, atKey);
    return at(code, message, line, column, path);
  };
  const schemaErrors = validate(data)
    // an `if` failure only repeats the `then`/`else` error beside it
    .filter((e) => e.keyword !== 'if')
    .map((e) => describe(e, data));
  const byLine = (a: Diagnostic, b: Diagnostic) => a.line - b.line || a.column - b.column;
  if (schemaErrors.length > 0)
    return { diagnostics: schemaErrors.map((e) => located(e.code, e.message, e.path, e.atKey)).sort(byLine) };
  const model = data as ThreatModel;
  const problems = checkModel(model, loadKb());
  return problems.length > 0
    ? { diagnostics: problems.map((p) => located(p.code, p.message, p.path)).sort(byLine) }
    : { model, diagnostics: [] };
}
