import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { MsecError } from '../core/index.ts';
import type { Iam } from '../iam/index.ts';
import type { Market } from './market.ts';
import * as R from './replies.ts';
import { Id, IdemKey, orgWide, self, tags } from './route-access.ts';

const StatementQuery = Type.Object(
  {
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const MintBody = Type.Object(
  { principalId: Id, amount: Type.Number(), idempotencyKey: IdemKey },
  { additionalProperties: false },
);

/** Wallets: balances, statements, minting by the market operator, and the books check. */
export async function walletRoutes(app: FastifyInstance, market: Market, iam: () => Iam): Promise<void> {
  app.get(
    '/market/wallet',
    {
      config: self('market:wallet:read'),
      schema: {
        tags,
        summary: 'Your MSEC balance (minor units: 1 MSEC = 1,000,000): available and in escrow',
        response: { 200: R.Wallet },
      },
    },
    async (req) => ({ principalId: req.subject!.id, ...(await market.wallets.balances(req.subject!.id)) }),
  );

  app.get<{ Querystring: Static<typeof StatementQuery> }>(
    '/market/wallet/statement',
    {
      config: self('market:wallet:read'),
      schema: {
        tags,
        summary: 'Your entries, newest first',
        querystring: StatementQuery,
        response: { 200: R.Statement },
      },
    },
    async (req) => ({
      items: await market.wallets.statement(req.subject!.id, {
        ...(req.query.before ? { before: req.query.before } : {}),
        ...(req.query.limit ? { limit: req.query.limit } : {}),
      }),
    }),
  );

  app.post<{ Body: Static<typeof MintBody> }>(
    '/market/mint',
    {
      config: orgWide('market:token:mint'),
      schema: {
        tags,
        summary: "Mint MSEC into a principal's wallet (market operator only)",
        body: MintBody,
        response: { 200: R.Placed, 201: R.Placed, ...R.marketErrors },
      },
    },
    async (req, reply) => {
      const p = await iam().directory.get(req.body.principalId);
      if (!p) throw new MsecError('NOT_FOUND', `principal ${req.body.principalId} not found`);
      const t = await market.wallets.mint(
        { id: p.id, org: p.orgId },
        req.body.amount,
        req.subject!.id,
        req.body.idempotencyKey === undefined ? undefined : `mint:${req.subject!.id}:${req.body.idempotencyKey}`,
      );
      req.auditNote = { resource: `wallet principal=${p.id}`, detail: { amount: req.body.amount } };
      reply.status(t.replayed ? 200 : 201);
      return t;
    },
  );

  app.get(
    '/market/invariants',
    {
      config: orgWide('market:audit:read'),
      schema: {
        tags,
        summary: 'Books check: supply = balances + escrow, no negative balance, every market grant backed by a trade',
        response: { 200: R.Invariants },
      },
    },
    async () => market.invariants(),
  );
}
