import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError, NoContent } from '../../core/index.ts';
import type { ServerContext } from '../context.ts';
import { errorResponses, IdParams } from './schemas.ts';

const ApiKeyBody = Type.Object({
  id: Type.String(),
  principalId: Type.String(),
  name: Type.String(),
  createdAt: Type.Integer(),
  expiresAt: Type.Union([Type.Integer(), Type.Null()]),
  revokedAt: Type.Union([Type.Integer(), Type.Null()]),
  lastUsedAt: Type.Union([Type.Integer(), Type.Null()]),
});
const CreateKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w .:-]+$' }),
    principalId: Type.Optional(Type.String({ maxLength: 128 })),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 5 * 365 * 86400 })),
  },
  { additionalProperties: false },
);

export async function apiKeyRoutes(app: FastifyInstance, { iam }: ServerContext): Promise<void> {
  app.post<{ Body: Static<typeof CreateKey> }>(
    '/api-keys',
    {
      // Object-level check in the handler: for oneself (self-service) or a principal of one's org.
      config: {
        security: { action: 'iam:self:api-key', resource: (req) => ({ type: 'principal', id: req.subject?.id }) },
      },
      schema: {
        tags: ['iam'],
        summary: 'Create an API key (shown once)',
        body: CreateKey,
        security: [{ bearerAuth: [] }],
        response: { 201: Type.Object({ key: Type.String(), info: ApiKeyBody }), ...errorResponses },
      },
    },
    async (req, reply) => {
      const s = req.subject!;
      const targetId = req.body.principalId ?? s.id;
      if (targetId !== s.id) {
        const target = await iam.directory.get(targetId);
        const missing = () => new MsecError('NOT_FOUND', `principal ${targetId} not found`);
        if (!target) throw missing();
        req.authorize('iam:api-key:create', { type: 'api-key', org: target.orgId, owner: target.id }, missing());
      }
      const created = await iam.apiKeys.create(targetId, req.body.name, req.body.ttlSeconds);
      req.auditNote = { resource: `api-key id=${created.info.id} principal=${targetId}` };
      reply.status(201);
      return created;
    },
  );

  app.get(
    '/api-keys',
    {
      config: {
        security: { action: 'iam:self:api-key', resource: (req) => ({ type: 'principal', id: req.subject?.id }) },
      },
      schema: {
        tags: ['iam'],
        summary: 'List your API keys',
        security: [{ bearerAuth: [] }],
        response: { 200: Type.Object({ items: Type.Array(ApiKeyBody) }) },
      },
    },
    async (req) => ({ items: await iam.apiKeys.list(req.subject!.id) }),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api-keys/:id',
    {
      config: {
        security: { action: 'iam:self:api-key', resource: (req) => ({ type: 'principal', id: req.subject?.id }) },
      },
      schema: {
        tags: ['iam'],
        summary: 'Revoke an API key',
        params: IdParams,
        security: [{ bearerAuth: [] }],
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const key = await iam.apiKeys.get(req.params.id);
      const missing = () => new MsecError('NOT_FOUND', `api key ${req.params.id} not found`);
      if (!key) throw missing();
      if (key.principalId !== req.subject!.id) {
        const owner = await iam.directory.get(key.principalId);
        req.authorize('iam:api-key:revoke', { type: 'api-key', org: owner?.orgId, owner: key.principalId }, missing());
      }
      await iam.apiKeys.revoke(key.id);
      reply.status(204);
    },
  );
}
