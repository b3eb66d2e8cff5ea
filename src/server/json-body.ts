import type { FastifyInstance } from 'fastify';
import { MsecError } from '../core/index.ts';

/** Whether a parsed JSON key would poison a prototype if copied naively (`__proto__`, `constructor.prototype`). */
function poisonous(key: string, value: unknown): boolean {
  return (
    key === '__proto__' ||
    (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype'))
  );
}

/** Parses a JSON request body: MALFORMED_JSON for bad syntax, VALIDATION_FAILED for poisoning keys. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new MsecError('MALFORMED_JSON', 'request body is empty');
  let poisoned = false;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (poisonous(key, v)) poisoned = true;
      return v;
    });
  } catch {
    throw new MsecError('MALFORMED_JSON', 'request body is not valid JSON');
  }
  // Valid JSON, refused content: said as such, not as a syntax error.
  if (poisoned)
    throw new MsecError('VALIDATION_FAILED', 'a key named __proto__ or constructor.prototype is not allowed');
  return value;
}

/** The one JSON body parser (replacing Fastify's, which reports a poisoning key as invalid JSON). */
export function installJsonBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
