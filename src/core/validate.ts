import type { TSchema, Static } from 'typebox';
import Value from 'typebox/value';
import { MsecError } from './errors.ts';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Lists why `value` does not match `schema`, most specific issue first; empty when it matches. */
export function validationIssues(schema: TSchema, value: unknown): ValidationIssue[] {
  if (Value.Check(schema, value)) return [];
  const issues: ValidationIssue[] = [];
  for (const e of Value.Errors(schema, value)) {
    // 'schema is false' duplicates the additionalProperties message that follows it.
    if (e.message === 'schema is false') continue;
    const extra = (e.params as { additionalProperties?: string[] }).additionalProperties;
    const message = extra ? `unknown field(s): ${extra.join(', ')}` : e.message;
    issues.push({ path: e.instancePath || '/', message });
  }
  return issues;
}

/** Returns `value` typed as the schema's type, or throws VALIDATION_FAILED naming what is wrong. */
export function assertValid<S extends TSchema>(schema: S, value: unknown, what = 'input'): Static<S> {
  const issues = validationIssues(schema, value);
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new MsecError('VALIDATION_FAILED', `${what}: ${first.path} ${first.message}`, { details: { issues } });
  }
  return value as Static<S>;
}

/** Parses JSON the store wrote, or gives `fallback` for null or unparseable text (never throws). */
export function parseJsonOr<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
