import { IAM } from '../../iam/index.ts';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, MsecError } from '../../core/index.ts';
import type { ModuleContext } from '../../core/index.ts';
import type { AgreementStore } from './agreements.ts';
import type { FederationLinks } from './federation.ts';
import { applyPush, type ImporterDeps } from './importer.ts';
import { Agreement, AgreementList, Identity, PushAck } from './replies.ts';
import { AggregateSpecSchema, PushBodySchema, type PushBody } from './wire.ts';

const Pattern = Type.String({ minLength: 1, maxLength: 400, pattern: '^[A-Za-z0-9._~*-]+(/[A-Za-z0-9._~*-]+){0,2}$' });
const AgreementBody = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
    direction: Type.Union([Type.Literal('export'), Type.Literal('import')]),
    localOrg: Type.String({ minLength: 2, maxLength: 63 }),
    partner: Type.String({ minLength: 2, maxLength: 63, pattern: '^[a-z][a-z0-9-]+$' }),
    resources: Type.Array(Pattern, { minItems: 1, maxItems: 100 }),
    decimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    pseudonymise: Type.Boolean(),
    keepSignatures: Type.Boolean(),
    /** Share one value per device, resource and window (e.g. 900 s averages) instead of every reading. */
    aggregate: Type.Optional(AggregateSpecSchema),
    validUntil: Type.Integer({ minimum: 0 }),
    endpoint: Type.Optional(Type.String({ maxLength: 500, pattern: '^https?://' })),
    credential: Type.Optional(Type.String({ maxLength: 500 })),
    partnerKey: Type.Optional(
      Type.Object({
        kty: Type.Literal('EC'),
        crv: Type.Literal('P-256'),
        x: Type.String({ maxLength: 64 }),
        y: Type.String({ maxLength: 64 }),
      }),
    ),
    principalId: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * Sharing agreements between hubs. Mutual authentication: the exporter calls with an API key of
 * a service principal the importer created for it; the importer answers with a proof signed by
 * its platform key, which the exporter checks against the partner key in its agreement.
 */
export async function federationRoutes(
  app: FastifyInstance,
  ctx: ModuleContext,
  agreements: AgreementStore,
  links: FederationLinks,
  importer: ImporterDeps,
): Promise<void> {
  app.get(
    '/federation/identity',
    {
      config: { security: { action: 'hub:twin:browse' } },
      schema: {
        tags: ['hub'],
        summary: 'This hub’s platform public key (for partners’ agreements)',
        response: { 200: Identity },
      },
    },
    async () => ({
      kid: ctx.platformKey.kid,
      publicKey: ctx.platformKey.publicJwk,
    }),
  );

  app.post<{ Body: Static<typeof AgreementBody> }>(
    '/federation/agreements',
    {
      config: {
        security: {
          action: 'hub:agreement:create',
          resource: (req) => ({ type: 'agreement', org: (req.body as { localOrg?: string } | undefined)?.localOrg }),
        },
      },
      schema: {
        tags: ['hub'],
        summary: 'Create a sharing agreement (one side of a federation link)',
        body: AgreementBody,
        response: { 201: Agreement, ...errorReplies({ 404: 'the local organisation does not exist' }) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      if (!(await ctx.services.get(IAM).directory.getOrg(b.localOrg)))
        throw new MsecError('NOT_FOUND', `organization ${b.localOrg} not found`);
      const a = await agreements.create({
        id: b.id,
        direction: b.direction,
        localOrg: b.localOrg,
        partner: b.partner,
        resources: b.resources,
        decimals: b.decimals ?? null,
        pseudonymise: b.pseudonymise,
        keepSignatures: b.keepSignatures,
        aggregate: b.aggregate ?? null,
        validUntil: b.validUntil,
        endpoint: b.endpoint ?? null,
        credential: b.credential ?? null,
        partnerKey: b.partnerKey ?? null,
        principalId: b.principalId ?? null,
      });
      if (a.direction === 'export') links.run(a.id);
      req.auditNote = { resource: `agreement id=${a.id} partner=${a.partner}` };
      reply.status(201);
      return a;
    },
  );

  app.get(
    '/federation/agreements',
    {
      config: { security: { action: 'hub:agreement:read' } },
      schema: {
        tags: ['hub'],
        summary: 'List your organisation’s sharing agreements',
        response: { 200: AgreementList },
      },
    },
    async (req) => {
      const s = req.subject!;
      const all = await agreements.list();
      return {
        items: all
          .filter((a) => ctx.access.decide(s, 'hub:agreement:read', { type: 'agreement', org: a.localOrg }).allow)
          .map((a) => ({
            ...a,
            exporter: links.exporters.get(a.id)
              ? { pushed: links.exporters.get(a.id)!.pushed, lastError: links.exporters.get(a.id)!.lastError ?? null }
              : null,
          })),
      };
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/federation/agreements/:id/revoke',
    {
      config: { security: { action: 'hub:twin:browse' } },
      schema: {
        tags: ['hub'],
        summary: 'Revoke an agreement: the link stops at once',
        params: IdParams,
        response: { 200: Agreement },
      },
    },
    async (req) => {
      const a = await agreements.get(req.params.id);
      if (!a) throw new MsecError('NOT_FOUND', `agreement ${req.params.id} not found`);
      req.authorize('hub:agreement:revoke', { type: 'agreement', org: a.localOrg, id: a.id });
      await agreements.revoke(a.id);
      links.halt(a.id);
      return { ...a, status: 'revoked' };
    },
  );

  app.post<{ Body: PushBody }>(
    '/federation/inbound',
    {
      config: { security: { action: 'hub:federation:push', resource: () => ({ type: 'federation' }) } },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['hub'],
        summary: 'A partner hub pushes shared readings (service principal of the agreement only)',
        body: PushBodySchema,
        response: { 200: PushAck },
      },
    },
    async (req) => {
      const ack = await applyPush(importer, req.subject!, req.body);
      req.auditNote = {
        resource: `agreement id=${req.body.agreementId}`,
        detail: { applied: ack.applied, refused: ack.refused, acked: ack.acked },
      };
      return ack;
    },
  );
}
