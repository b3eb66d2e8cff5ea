import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import type { Actor, VaultRepo } from './context.ts';
import { listOwnRecords, OWN_RECORDS_MAX_PAGE } from './own-records.ts';
import {
  AccessRequest,
  AccessRequests,
  Granted,
  KeyInfo,
  OwnRecords,
  RecordProof,
  RecordRead,
  recordErrors,
  Revoked,
  Sharing,
  Stored,
  Tombstone,
} from './replies.ts';
import { eraseRecord, putRecord, readRecord, recordProof } from './records.ts';
import {
  denyRequest,
  getKey,
  grantAccess,
  listRequests,
  registerKey,
  requestAccess,
  revokeAccess,
  sharingOf,
} from './sharing.ts';

const RecordParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const GrantParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }), readerId: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const PrincipalParams = Type.Object(
  { principalId: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
const RequestParams = Type.Object(
  { requestId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const VersionQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
const PutBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    record: Type.Unknown(),
    keys: Type.Array(
      Type.Object(
        { principalId: Type.String({ minLength: 1, maxLength: 128 }), wrapped: Type.Unknown() },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);
const KeyBody = Type.Object({ publicKey: Type.Unknown() }, { additionalProperties: false });
const RequestBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);
const GrantBody = Type.Object(
  {
    keys: Type.Array(
      Type.Object({ version: Type.Integer({ minimum: 1 }), wrapped: Type.Unknown() }, { additionalProperties: false }),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
const OwnRecordsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: OWN_RECORDS_MAX_PAGE })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
const RequestsQuery = Type.Object(
  {
    as: Type.Optional(Type.Union([Type.Literal('owner'), Type.Literal('requester')])),
    status: Type.Optional(
      Type.Union(['pending', 'approved', 'denied', 'revoked', 'cancelled'].map((s) => Type.Literal(s))),
    ),
  },
  { additionalProperties: false },
);

const bearer = [{ bearerAuth: [] }];
const tags = ['vault'];

/** Route-level gate: may this subject use the vault at all; handlers check the actual record. */
function gate(action: string) {
  return {
    security: {
      action,
      resource: (req: FastifyRequest) => ({
        type: action.split(':')[1] ?? 'record',
        org: req.subject?.org,
        owner: req.subject?.id,
      }),
    },
  };
}

function actorOf(req: FastifyRequest): Actor {
  return {
    subject: req.subject!,
    authorize: (action, resource, hidden) => req.authorize(action, resource, hidden),
    note: (resource, detail) => {
      req.auditNote = { resource, ...(detail ? { detail } : {}) };
    },
  };
}

export async function vaultRoutes(app: FastifyInstance, repo: VaultRepo): Promise<void> {
  app.put<{ Body: Static<typeof KeyBody> }>(
    '/vault/keys/me',
    {
      config: gate('vault:key:write'),
      schema: {
        tags,
        summary: 'Register your vault public key (P-256 JWK); the private key stays with you',
        response: { 200: KeyInfo },
        body: KeyBody,
        security: bearer,
      },
    },
    async (req) => registerKey(repo, actorOf(req), req.body.publicKey),
  );

  app.get<{ Params: Static<typeof PrincipalParams> }>(
    '/vault/keys/:principalId',
    {
      config: gate('vault:key:read'),
      schema: {
        tags,
        summary: "A principal's registered vault public key",
        params: PrincipalParams,
        security: bearer,
        response: { 200: KeyInfo },
      },
    },
    async (req) => getKey(repo, req.params.principalId === 'me' ? req.subject!.id : req.params.principalId),
  );

  app.get<{ Querystring: Static<typeof OwnRecordsQuery> }>(
    '/vault/records',
    {
      config: gate('vault:record:read'),
      schema: {
        tags,
        summary: 'Your records, newest first, with the readers holding a grant and the pending requests',
        querystring: OwnRecordsQuery,
        security: bearer,
        response: { 200: OwnRecords },
      },
    },
    async (req) => listOwnRecords(repo, actorOf(req), { limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 }),
  );

  app.put<{ Params: Static<typeof RecordParams>; Body: Static<typeof PutBody> }>(
    '/vault/records/:id',
    {
      config: gate('vault:record:write'),
      schema: {
        tags,
        summary:
          'Store a new version: client-side ciphertext plus the data key wrapped for the owner and granted readers',
        response: { 201: Stored, ...recordErrors },
        params: RecordParams,
        body: PutBody,
        security: bearer,
      },
    },
    async (req, reply) => {
      const res = await putRecord(repo, actorOf(req), req.params.id, req.body);
      reply.status(201);
      return res;
    },
  );

  app.get<{ Params: Static<typeof RecordParams>; Querystring: Static<typeof VersionQuery> }>(
    '/vault/records/:id',
    {
      config: gate('vault:record:read'),
      schema: {
        tags,
        summary: "Ciphertext, the caller's wrapped key, and the inclusion proof of its hash",
        response: { 200: RecordRead, ...recordErrors },
        params: RecordParams,
        querystring: VersionQuery,
        security: bearer,
      },
    },
    async (req) => readRecord(repo, actorOf(req), req.params.id, req.query.version),
  );

  app.get<{ Params: Static<typeof RecordParams>; Querystring: Static<typeof VersionQuery> }>(
    '/vault/records/:id/proof',
    {
      config: gate('vault:record:proof'),
      schema: {
        tags,
        summary: "A version's ledger proof; still served after erasure",
        response: { 200: RecordProof },
        params: RecordParams,
        querystring: VersionQuery,
        security: bearer,
      },
    },
    async (req) => recordProof(repo, actorOf(req), req.params.id, req.query.version),
  );

  app.get<{ Params: Static<typeof RecordParams> }>(
    '/vault/records/:id/grants',
    {
      config: gate('vault:record:share'),
      schema: {
        tags,
        summary: 'Latest version and the readers (with public keys) holding a grant',
        response: { 200: Sharing, ...recordErrors },
        params: RecordParams,
        security: bearer,
      },
    },
    async (req) => sharingOf(repo, actorOf(req), req.params.id),
  );

  app.put<{ Params: Static<typeof GrantParams>; Body: Static<typeof GrantBody> }>(
    '/vault/records/:id/grants/:readerId',
    {
      config: gate('vault:record:grant'),
      schema: {
        tags,
        summary: "Approve a reader: upload the data key re-wrapped (on the owner's client) for the reader",
        response: { 200: Granted, ...recordErrors },
        params: GrantParams,
        body: GrantBody,
        security: bearer,
      },
    },
    async (req) => grantAccess(repo, actorOf(req), req.params.id, req.params.readerId, req.body.keys),
  );

  app.delete<{ Params: Static<typeof GrantParams> }>(
    '/vault/records/:id/grants/:readerId',
    {
      config: gate('vault:record:revoke'),
      schema: {
        tags,
        summary: "Revoke a reader: destroy the reader's wrapped keys",
        response: { 200: Revoked },
        params: GrantParams,
        security: bearer,
      },
    },
    async (req) => revokeAccess(repo, actorOf(req), req.params.id, req.params.readerId),
  );

  app.post<{ Params: Static<typeof RecordParams> }>(
    '/vault/records/:id/erase',
    {
      config: gate('vault:record:erase'),
      schema: {
        tags,
        summary: 'Erase (GDPR art. 17): destroy every wrapped key and the ciphertext, keep the hash',
        response: { 200: Tombstone, ...recordErrors },
        params: RecordParams,
        security: bearer,
      },
    },
    async (req) => eraseRecord(repo, actorOf(req), req.params.id),
  );

  app.post<{ Params: Static<typeof RecordParams>; Body: Static<typeof RequestBody> }>(
    '/vault/records/:id/requests',
    {
      config: gate('vault:request:create'),
      schema: {
        tags,
        summary: 'Ask the owner for access',
        params: RecordParams,
        body: RequestBody,
        security: bearer,
        response: { 201: AccessRequest, ...recordErrors },
      },
    },
    async (req, reply) => {
      const res = await requestAccess(repo, actorOf(req), req.params.id, req.body?.reason);
      reply.status(201);
      return res;
    },
  );

  app.get<{ Querystring: Static<typeof RequestsQuery> }>(
    '/vault/requests',
    {
      config: gate('vault:request:read'),
      schema: {
        tags,
        summary: 'Access requests on your records (as=owner, default) or made by you (as=requester)',
        response: { 200: AccessRequests },
        querystring: RequestsQuery,
        security: bearer,
      },
    },
    async (req) => ({
      items: await listRequests(repo, actorOf(req), req.query.as ?? 'owner', req.query.status as never),
    }),
  );

  app.post<{ Params: Static<typeof RequestParams> }>(
    '/vault/requests/:requestId/deny',
    {
      config: gate('vault:record:grant'),
      schema: {
        tags,
        summary: 'Deny a pending access request',
        params: RequestParams,
        security: bearer,
        response: { 200: AccessRequest, ...recordErrors },
      },
    },
    async (req) => denyRequest(repo, actorOf(req), req.params.requestId),
  );
}
