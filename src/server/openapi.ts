/**
 * Makes the OpenAPI document (`/docs/json`) say what each route does. Everything comes from the
 * route's own declaration: its success answers and its own refusals from `schema.response` (the
 * same schemas Fastify serialises with), its security requirement from the `config.security` the
 * server enforces (public, or a bearer token; a public route whose handler authenticates declares
 * `schema.security` itself). Added here are only the refusals the server makes
 * before or around any handler: 400 for a request that breaks the schema, 401 without
 * credentials, 403 when the policy refuses, 404 for an unknown path parameter, 429 when
 * rate-limited, 500 and 503; all reference the one error body (components.schemas.MsecError).
 * Only the document is changed: the route's own schema is left as it is.
 * test/openapi-walk.test.ts calls every documented route and fails where the answer is not what
 * the document says.
 */
import type { FastifySchema, RouteOptions } from 'fastify';
import { errorReply } from '../core/index.ts';

interface RouteSecurityConfig {
  security?: { public?: boolean };
  rateLimit?: unknown;
}

/** The document's view of one route; `route.schema` itself is not modified. */
export function documentRoute({ schema, url, route }: { schema: FastifySchema; url: string; route: RouteOptions }): {
  schema: FastifySchema;
  url: string;
} {
  const s = { ...(schema ?? {}) } as FastifySchema & { security?: unknown; response?: Record<string, unknown> };
  const config = route.config as RouteSecurityConfig | undefined;
  // A public route whose handler authenticates itself says so in its schema's own `security`.
  const declared = (s.security as unknown[] | undefined)?.length;
  const isPublic = declared === undefined ? config?.security?.public === true : declared === 0;
  const response: Record<string, unknown> = { ...(s.response ?? {}) };
  response['400'] ??= errorReply('the request breaks the schema (VALIDATION_FAILED) or a rule of the route');
  if (!isPublic) {
    response['401'] ??= errorReply('no or invalid credentials');
    response['403'] ??= errorReply('the policy refuses this action on this resource');
  }
  if (url.includes(':')) response['404'] ??= errorReply('no such resource');
  if (config?.rateLimit) response['429'] ??= errorReply('rate-limited (RATE_LIMITED)');
  response['500'] ??= errorReply('internal error');
  response['503'] ??= errorReply('temporarily unavailable; retry');
  return { url, schema: { ...s, security: isPublic ? [] : [{ bearerAuth: [] }], response } as FastifySchema };
}
