import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import Type from 'typebox';
import type { ServerContext } from '../context.ts';
import { MSEC_VERSION } from '../version.ts';

const HealthBody = Type.Object({
  status: Type.Enum(['ok', 'degraded']),
  version: Type.String(),
  uptimeSeconds: Type.Integer(),
  storage: Type.Object({ engine: Type.String(), status: Type.Enum(['ok', 'unavailable']) }),
});

export async function healthRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const started = Date.now();
  app.get(
    '/healthz',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['platform'],
        summary: 'Liveness and storage check (public)',
        response: { 200: HealthBody, 503: { ...HealthBody, description: 'storage unavailable (degraded)' } },
      },
    },
    async (_req, reply) => {
      let storage = 'ok';
      try {
        await sql`select 1`.execute(ctx.store.db);
      } catch {
        storage = 'unavailable';
      }
      reply.status(storage === 'ok' ? 200 : 503);
      return {
        status: storage === 'ok' ? 'ok' : 'degraded',
        version: MSEC_VERSION,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        storage: { engine: ctx.store.dialect, status: storage },
      };
    },
  );

  app.get(
    '/metrics',
    {
      config: { security: { action: 'platform:metrics:read' } },
      schema: {
        tags: ['platform'],
        summary: 'Prometheus metrics (operators and admins)',
        security: [{ bearerAuth: [] }],
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (_req, reply) => {
      reply.type(ctx.metrics.contentType);
      return ctx.metrics.metrics();
    },
  );
}
