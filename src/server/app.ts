import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorBodySchema, MsecError, type ModuleContext, type PlatformModule } from '../core/index.ts';
import { documentRoute } from './openapi.ts';
import type { ServerContext } from './context.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './errors.ts';
import type { HttpMetrics } from './metrics.ts';
import { installJsonBody } from './json-body.ts';
import { installSecurity } from './security.ts';
import { installValidation } from './validation.ts';
import { MSEC_VERSION } from './version.ts';
import { healthRoutes } from './routes/health.ts';
import { authRoutes } from './routes/auth.ts';
import { orgRoutes } from './routes/orgs.ts';
import { principalRoutes } from './routes/principals.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import { policyRoutes } from './routes/policies.ts';
import { wellKnownRoutes } from './routes/well-known.ts';
import { installConsole } from '../console/index.ts';
import { OIDC_SIGNIN } from '../iam/index.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface BuildAppOptions {
  ctx: ServerContext;
  /** Each module's own context (its scoped view of the services). */
  contextOf: (m: PlatformModule) => ModuleContext;
  httpMetrics: HttpMetrics;
  modules: PlatformModule[];
}

/** The HTTP API: core routes under /api/v1, each module's routes beside them, docs at /docs. */
export async function buildApp({ ctx, httpMetrics, modules, contextOf }: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = ctx;
  const https =
    config.tlsCertFile && config.tlsKeyFile
      ? {
          https: {
            cert: readFileSync(config.tlsCertFile),
            key: readFileSync(config.tlsKeyFile),
            minVersion: 'TLSv1.2' as const,
          },
        }
      : {};
  const app = Fastify({
    loggerInstance: ctx.logger,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: false,
    // Fastify's own 503 while closing has another body shape: we answer it ourselves (below).
    return503OnClosing: false,
    clientErrorHandler,
    frameworkErrors,
    ...https,
  }) as unknown as FastifyInstance;

  installValidation(app);
  // The one error body, referenced by every route's error answers (`{ $ref: 'MsecError#' }`).
  app.addSchema(ErrorBodySchema);
  installErrorHandling(app);
  // Bodies are JSON (or a module's own type, e.g. application/cose): text/plain is a 415, not a string.
  app.removeContentTypeParser('text/plain');
  installJsonBody(app, config.bodyLimitBytes);
  // Requests arriving once shutdown began: refused with the one error shape (in-flight ones finish).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (!closing) return;
    reply.header('connection', 'close');
    throw new MsecError('SHUTTING_DOWN', 'the server is shutting down; retry on another instance or later', {
      status: 503,
    });
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', 'no-store');
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpMetrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    httpMetrics.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'msec API',
        version: MSEC_VERSION,
        description: 'Security platform for smart-city IoT: devices, hub, ledger, vault, monitor, market, IAM.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or msec_ API key' } },
      },
    },
    transform: documentRoute,
    // Shared schemas appear in the document under their own names (components.schemas.MsecError).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) =>
      Object.assign(new Error('too many requests'), { statusCode: 429, retryAfter: c.ttl }),
  });
  // The console's cookie becomes a bearer token before installSecurity authenticates.
  const webConsole = installConsole(app, {
    iam: ctx.iam,
    now: () => ctx.clock.now(),
    secureCookie: Boolean(https.https),
    loginRateLimitPerMinute: config.auth.loginRateLimitPerMinute,
    oidc: ctx.services.find(OIDC_SIGNIN),
  });
  installSecurity(app, ctx.iam, httpMetrics, ctx.bus);

  await app.register(async (root) => healthRoutes(root, ctx));
  await app.register(async (root) => webConsole.root(root));
  await app.register(async (root) =>
    wellKnownRoutes(root, ctx, { tokenEndpoints: modules.some((m) => m.name === 'iam-oauth') }),
  );
  await app.register(
    async (api) => {
      await authRoutes(api, ctx);
      await orgRoutes(api, ctx);
      await principalRoutes(api, ctx);
      await apiKeyRoutes(api, ctx);
      await auditRoutes(api, ctx);
      await policyRoutes(api, ctx);
      await webConsole.routes(api);
      for (const m of modules) if (m.routes) await api.register(async (scoped) => m.routes!(scoped, contextOf(m)));
    },
    { prefix: '/api/v1' },
  );
  return app;
}
