/**
 * Makes the OpenAPI document (`/docs/json`) say what each route does: its security requirement
 * comes from the same `config.security` the server enforces (public, or a bearer token), its
 * error answers from what the server returns before a handler runs (400 for a request that breaks
 * the schema, 401 without credentials, 403 when the policy refuses, 429 when rate-limited), and
 * its success status from SUCCESS below where it is not 200. Only the document is changed: the
 * route's own schema (validation, serialization) is left as it is. test/openapi-walk.test.ts
 * calls every documented route and fails where the answer is not what the document says.
 */
import type { FastifySchema, RouteOptions } from 'fastify';

const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/** Routes whose handlers answer something other than 200, keyed by `METHOD url`. */
const SUCCESS: Record<string, Record<number, string>> = {
  'POST /api/v1/devices/enrollment-tokens': { 201: 'token created (shown once)' },
  'POST /api/v1/devices/enroll/finish': { 201: 'enrolled', 202: 'TPM credential activation required' },
  'POST /api/v1/devices/enroll/activate': { 201: 'enrolled' },
  'POST /api/v1/devices/{id}/attestation/challenge': { 201: 'challenge created' },
  'POST /api/v1/readings': { 202: 'reading verified and stored' },
  'POST /api/v1/access-rules': { 201: 'access rule created' },
  'DELETE /api/v1/access-rules/{id}': { 204: 'access rule removed' },
  'POST /api/v1/federation/agreements': { 201: 'agreement created' },
  'POST /api/v1/api-keys': { 201: 'key created (shown once)' },
  'DELETE /api/v1/api-keys/{id}': { 204: 'key revoked' },
  'POST /api/v1/auth/logout': { 204: 'logged out' },
  'DELETE /api/v1/console/session': { 204: 'console session ended' },
  'POST /api/v1/orgs': { 201: 'organisation created' },
  'POST /api/v1/principals': { 201: 'principal created' },
  'POST /api/v1/principals/{id}/unlock': { 204: 'unlocked' },
};

/** Refusals particular to a route, beyond the common ones added to every route. */
const EXTRA_ERRORS: Record<string, Record<number, string>> = {
  'POST /api/v1/readings': {
    409: 'READING_REPLAYED: the counter is not above the last accepted one',
    413: 'COSE_TOO_LARGE / BODY_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE: send application/cose',
  },
  'POST /api/v1/devices/enroll/start': { 401: 'ENROLLMENT_TOKEN_INVALID' },
  'POST /api/v1/devices/enroll/finish': { 401: 'ENROLLMENT_PROOF_INVALID', 409: 'DEVICE_EXISTS / DEVICE_ID_TAKEN' },
  'POST /api/v1/devices/enroll/activate': { 401: 'ENROLLMENT_ACTIVATION_FAILED / ENROLLMENT_QUOTE_INVALID' },
  'POST /api/v1/auth/login': { 401: 'INVALID_CREDENTIALS', 423: 'ACCOUNT_LOCKED' },
  'POST /api/v1/auth/refresh': { 401: 'TOKEN_INVALID / TOKEN_EXPIRED / TOKEN_REVOKED' },
};

const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

interface RouteSecurityConfig {
  security?: { public?: boolean };
}

/** The document's view of one route; `route.schema` itself is not modified. */
export function documentRoute({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): {
  schema: FastifySchema;
  url: string;
} {
  const s = { ...(schema ?? {}) } as FastifySchema & {
    security?: unknown;
    response?: Record<string, unknown>;
    hide?: boolean;
  };
  const isPublic = (route.config as RouteSecurityConfig | undefined)?.security?.public === true;
  const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? 'GET';
  const key = `${method.toUpperCase()} ${openapiPath(url)}`;
  const response: Record<string, unknown> = { ...(s.response ?? {}) };
  const success = SUCCESS[key] ?? { 200: 'OK' };
  for (const [status, description] of Object.entries(success)) {
    if (!(status in response))
      response[status] =
        status === '204' ? { description, type: 'null' } : { description, type: 'object', additionalProperties: true };
  }
  const error = (description: string) => ({ description, ...ErrorBody });
  response['400'] ??= error('the request breaks the schema (VALIDATION_FAILED) or a rule of the route');
  if (!isPublic) {
    response['401'] ??= error('no or invalid credentials');
    response['403'] ??= error('the policy refuses this action on this resource');
  }
  for (const [status, description] of Object.entries(EXTRA_ERRORS[key] ?? {})) response[status] ??= error(description);
  if (url.includes(':')) response['404'] ??= error('no such resource');
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit)
    response['429'] ??= error('rate-limited (RATE_LIMITED)');
  response['500'] ??= error('internal error');
  response['503'] ??= error('temporarily unavailable; retry');
  return { url, schema: { ...s, security: isPublic ? [] : [{ bearerAuth: [] }], response } as FastifySchema };
}
