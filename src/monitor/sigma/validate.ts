/**
 * Validation of rule documents against the official Sigma JSON schemas shipped in ./schema
 * (see schema/PROVENANCE.md). Errors come back as JSON paths; the parser maps them to lines.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function loadSchema(file: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(new URL(`./schema/${file}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
  // The detection schema names its meta-schema with a trailing '#', which Ajv does not resolve;
  // the draft is the one Ajv2020 implements either way.
  delete schema['$schema'];
  return schema;
}

let validators: { detection: ValidateFunction; correlation: ValidateFunction } | undefined;

function getValidators(): { detection: ValidateFunction; correlation: ValidateFunction } {
  if (!validators) {
    // strict: false because the official schemas use keywords Ajv's strict mode rejects (e.g. `items`
    // on objects); they are ignored, as every JSON Schema validator ignores them.
    const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false, verbose: true }));
    validators = {
      detection: ajv.compile(loadSchema('sigma-detection-rule-schema.json')),
      correlation: ajv.compile(loadSchema('sigma-correlation-rules-schema.json')),
    };
  }
  return validators;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const TYPE_NAMES: Record<string, string> = {
  array: 'a list',
  object: 'a map',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
};

function describe(err: ErrorObject): string {
  if (err.keyword === 'oneOf' || err.keyword === 'anyOf') {
    type Branch = { const?: unknown; type?: string };
    const branches = (err.parentSchema as { oneOf?: Branch[]; anyOf?: Branch[] } | undefined)?.[err.keyword];
    const consts = branches?.map((b) => b.const).filter((c) => c !== undefined);
    if (consts && consts.length > 0 && consts.length === branches?.length)
      return `must be one of: ${consts.join(', ')}`;
    const types = [...new Set(branches?.map((b) => b.type).filter((t): t is string => typeof t === 'string'))];
    if (types.length > 0 && types.length === new Set(branches?.map((b) => b.type)).size)
      return `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`;
  }
  if (err.keyword === 'type')
    return `must be ${String((err.params as { type: string }).type)
      .split(',')
      .map((t) => TYPE_NAMES[t] ?? t)
      .join(' or ')}`;
  return err.message ?? err.keyword;
}

/** Problems with one rule document, or an empty list. */
export function validateDocument(doc: unknown, kind: 'detection' | 'correlation'): SchemaProblem[] {
  const validate = getValidators()[kind];
  if (validate(doc)) return [];
  const errors = validate.errors ?? [];
  // A failed `oneOf` of constants also reports each `const` branch; keep the summary only.
  const summarised = new Set(
    errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath),
  );
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const err of errors) {
    if (
      (err.keyword === 'const' || err.keyword === 'type' || err.keyword === 'format' || err.keyword === 'minLength') &&
      summarised.has(err.instancePath) &&
      err.schemaPath.includes('Of/')
    )
      continue;
    if (err.keyword === 'if') continue;
    const path = pointerToPath(err.instancePath);
    if (err.keyword === 'required') path.push((err.params as { missingProperty: string }).missingProperty);
    const message = err.keyword === 'required' ? 'is required' : describe(err);
    const key = `${path.join('.')}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}
