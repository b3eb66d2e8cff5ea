import { createPublicKey } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorReplies, mediaReply, MsecError, type Store } from '../core/index.ts';
import { latestAnchor } from './anchor/anchorer.ts';
import { checkpointFile, proofToJson } from './bundle.ts';
import { verifierKey } from './checkpoint.ts';
import type { TransparencyLog } from './log.ts';
import { Anchors, Checkpoint, ConsistencyBundle, Entry, InclusionBundle, ReadingProofBundle } from './replies.ts';
import type { LedgerTables } from './schema.ts';
import type { ReadingBatcher } from './readings/batcher.ts';

const Size = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const IndexParams = Type.Object({ index: Size }, { additionalProperties: false });
const InclusionQuery = Type.Object({ index: Size, treeSize: Type.Optional(Size) }, { additionalProperties: false });
const ConsistencyQuery = Type.Object({ from: Size, to: Type.Optional(Size) }, { additionalProperties: false });
const AnchorsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) },
  { additionalProperties: false },
);
const HashParams = Type.Object({ hash: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false });

const bearer = [{ bearerAuth: [] }];
const PEM_TYPE = 'application/x-pem-file';
const PublicKeyQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pem')])) },
  { additionalProperties: false },
);
const PublicKeyJson = Type.Object({
  algorithm: Type.Literal('ES256'),
  publicKeyPem: Type.String(),
  verifierKey: Type.String(),
});

/** The head for a proof: the one kept for that size, with its anchor when it is on chain. */
async function checkpointFor(log: TransparencyLog, store: Store, size: number) {
  const head = await log.checkpointAt(size);
  const db = store.db.withTables<LedgerTables>();
  const a = await db.selectFrom('ledger_anchors').selectAll().where('size', '=', size).limit(1).executeTakeFirst();
  return checkpointFile(
    head,
    a && { chainId: Number(a.chain_id), contract: a.contract, txHash: a.tx_hash, blockNumber: Number(a.block_number) },
  );
}

/**
 * The log over HTTP. The checkpoint and the log's public key are public: a signed tree head
 * discloses only a size and a root, and verifiers anywhere need both. Entries, proofs and anchors
 * (kinds and timing of activity) are for operators, analysts and administrators. Every read
 * first catches up with what other processes on the same store appended.
 */
export async function ledgerRoutes(
  app: FastifyInstance,
  deps: { log: TransparencyLog; store: Store; batcher: ReadingBatcher; publicKeyPem: string },
): Promise<void> {
  const { log, store, batcher } = deps;
  const noteKey = verifierKey(log.origin, createPublicKey(deps.publicKeyPem));
  // This scope holds the ledger's routes only: each request first catches up with what other
  // processes on the same store appended (after authentication, so refusals cost no query).
  app.addHook('preHandler', async () => {
    await log.refresh();
  });

  app.get(
    '/ledger/checkpoint',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['ledger'],
        summary: 'The latest signed tree head (C2SP checkpoint)',
        response: { 200: Checkpoint },
      },
    },
    async () => checkpointFor(log, store, log.size),
  );

  app.get<{ Querystring: Static<typeof PublicKeyQuery> }>(
    '/ledger/public-key',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['ledger'],
        summary: `The log's checkpoint-signing public key: JSON by default; PEM (${PEM_TYPE}) with ?format=pem or Accept: ${PEM_TYPE}`,
        querystring: PublicKeyQuery,
        response: {
          200: {
            description: 'the key as JSON, or as PEM',
            content: { 'application/json': { schema: PublicKeyJson }, [PEM_TYPE]: { schema: Type.String() } },
          },
        },
      },
    },
    async (req, reply) => {
      const wantsPem =
        req.query.format === 'pem' || (req.query.format === undefined && (req.headers.accept ?? '').includes(PEM_TYPE));
      if (wantsPem) return reply.type(PEM_TYPE).send(deps.publicKeyPem);
      return { algorithm: 'ES256' as const, publicKeyPem: deps.publicKeyPem, verifierKey: noteKey };
    },
  );

  app.get(
    '/ledger/verifier-key',
    {
      config: { security: { public: true } },
      schema: {
        tags: ['ledger'],
        summary: 'The checkpoint verifier key in signed-note form: <origin>+<key ID hex>+base64(0x02 || SPKI DER)',
        response: { 200: mediaReply('text/plain', 'the verifier key, one line') },
      },
    },
    async (_req, reply) => reply.type('text/plain; charset=utf-8').send(`${noteKey}\n`),
  );

  app.get<{ Params: Static<typeof IndexParams> }>(
    '/ledger/entries/:index',
    {
      config: { security: { action: 'ledger:entry:read' } },
      schema: {
        tags: ['ledger'],
        summary: 'One log entry',
        params: IndexParams,
        security: bearer,
        response: { 200: Entry },
      },
    },
    async (req) => log.getEntry(req.params.index),
  );

  app.get<{ Querystring: Static<typeof InclusionQuery> }>(
    '/ledger/proofs/inclusion',
    {
      config: { security: { action: 'ledger:proof:read' } },
      schema: {
        tags: ['ledger'],
        summary: 'Entry, inclusion proof and checkpoint: the files `msec ledger verify` checks',
        querystring: InclusionQuery,
        security: bearer,
        response: { 200: InclusionBundle, ...errorReplies({ 404: 'LEDGER_INDEX_OUT_OF_RANGE: beyond the log' }) },
      },
    },
    async (req) => {
      const treeSize = req.query.treeSize ?? log.size;
      const proof = await log.inclusionProof(req.query.index, treeSize);
      return {
        entry: await log.getEntry(req.query.index),
        proof: proofToJson(proof),
        checkpoint: await checkpointFor(log, store, treeSize),
      };
    },
  );

  app.get<{ Querystring: Static<typeof ConsistencyQuery> }>(
    '/ledger/proofs/consistency',
    {
      config: { security: { action: 'ledger:proof:read' } },
      schema: {
        tags: ['ledger'],
        summary: 'Consistency proof between two tree sizes, with both checkpoints',
        querystring: ConsistencyQuery,
        security: bearer,
        response: { 200: ConsistencyBundle, ...errorReplies({ 404: 'LEDGER_INDEX_OUT_OF_RANGE: beyond the log' }) },
      },
    },
    async (req) => {
      const to = req.query.to ?? log.size;
      if (req.query.from > to) throw new MsecError('LEDGER_SIZE_INVALID', `from ${req.query.from} is beyond to ${to}`);
      const hashes = await log.consistencyProof(req.query.from, to);
      return {
        from: req.query.from,
        to,
        hashes: hashes.map((h) => h.toString('base64')),
        oldCheckpoint: await checkpointFor(log, store, req.query.from),
        newCheckpoint: await checkpointFor(log, store, to),
      };
    },
  );

  app.get<{ Querystring: Static<typeof AnchorsQuery> }>(
    '/ledger/anchors',
    {
      config: { security: { action: 'ledger:anchor:read' } },
      schema: {
        tags: ['ledger'],
        summary: 'Checkpoints anchored on chain, newest first',
        querystring: AnchorsQuery,
        security: bearer,
        response: { 200: Anchors },
      },
    },
    async (req) => {
      const rows = await store.db
        .withTables<LedgerTables>()
        .selectFrom('ledger_anchors')
        .selectAll()
        .orderBy('size', 'desc')
        .limit(req.query.limit ?? 100)
        .execute();
      const latest = await latestAnchor(store);
      return {
        latestSize: latest?.size ?? null,
        items: rows.map((r) => ({
          size: Number(r.size),
          root: Buffer.from(r.root).toString('base64'),
          chainId: Number(r.chain_id),
          contract: r.contract,
          txHash: r.tx_hash,
          blockNumber: Number(r.block_number),
          createdAt: Number(r.created_at),
        })),
      };
    },
  );

  app.get<{ Params: Static<typeof HashParams> }>(
    '/ledger/readings/:hash/proof',
    {
      config: { security: { action: 'ledger:proof:read' } },
      schema: {
        tags: ['ledger'],
        summary: "A hub reading's batch proof plus its batch entry's inclusion proof",
        params: HashParams,
        security: bearer,
        response: { 200: ReadingProofBundle },
      },
    },
    async (req) => {
      const reading = await batcher.proofFor(req.params.hash);
      const size = log.size;
      const proof = await log.inclusionProof(reading.entryIndex, size);
      return {
        reading,
        entry: await log.getEntry(reading.entryIndex),
        proof: proofToJson(proof),
        checkpoint: await checkpointFor(log, store, size),
      };
    },
  );
}
