import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { MsecError } from '../core/index.ts';
import type { Market } from './market.ts';
import * as R from './replies.ts';
import { Id, orgWide, tags } from './route-access.ts';

/** Providers' reputation, in msec's shape and in the original M-Sec middleware's. */
export async function rankingRoutes(app: FastifyInstance, market: Market): Promise<void> {
  const rankings = async () => market.trust.rankings();
  app.get(
    '/market/rankings',
    {
      config: orgWide('market:ranking:read'),
      schema: {
        tags,
        summary: 'Reputation of every provider: score, 95 % interval, evidence count, rank',
        response: { 200: R.Rankings },
      },
    },
    async () => ({ items: await rankings() }),
  );
  app.get<{ Params: { provider: string } }>(
    '/market/rankings/:provider',
    {
      config: orgWide('market:ranking:read'),
      schema: {
        tags,
        summary: 'Reputation of one provider organisation',
        params: Type.Object({ provider: Id }),
        response: { 200: R.Ranking },
      },
    },
    async (req) => {
      const r = (await rankings()).find((x) => x.provider === req.params.provider);
      if (!r) throw new MsecError('NOT_FOUND', `provider ${req.params.provider} has no listing`);
      return r;
    },
  );
  // The original middleware's shapes: a list of { providerId, ranking } and one provider's.
  app.get(
    '/market/getRankingAll',
    {
      config: orgWide('market:ranking:read'),
      schema: {
        tags,
        summary: 'Original shape: [{ providerId, ranking }] (ranking 0..5)',
        response: { 200: R.OriginalRankings },
      },
    },
    async () =>
      (await rankings()).map((r) => ({ providerId: r.provider, ranking: Math.round(r.score * 5 * 100) / 100 })),
  );
  app.get<{ Params: { providerId: string } }>(
    '/market/getRankingOfProvider/:providerId',
    {
      config: orgWide('market:ranking:read'),
      schema: {
        tags,
        summary: 'Original shape: { providerId, ranking }',
        params: Type.Object({ providerId: Id }),
        response: { 200: R.OriginalRanking },
      },
    },
    async (req) => {
      const r = (await rankings()).find((x) => x.provider === req.params.providerId);
      if (!r) throw new MsecError('NOT_FOUND', `provider ${req.params.providerId} has no listing`);
      return { providerId: r.provider, ranking: Math.round(r.score * 5 * 100) / 100 };
    },
  );
}
