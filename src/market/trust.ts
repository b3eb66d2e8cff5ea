import { MsecError, type Clock } from '../core/index.ts';
import type { DevicesHub, HistoryStore, TwinStore } from '../hub/index.ts';
import { isUniqueViolation } from './db-errors.ts';
import type { Listing, Listings } from './listings.ts';
import { computeReputations, type Reputation } from './reputation.ts';
import { tradeFromRow, type Trade } from './settlement.ts';
import { walletOf, type Owner, type Wallets } from './wallets.ts';

export interface HubEvidence {
  twins: TwinStore;
  history: HistoryStore;
  devices: DevicesHub | undefined;
}

/**
 * Ratings, hub evidence, pro-rata refunds and rankings. The hub's history tells how many
 * messages a trade delivered against the listing's promise; its device registry and twins tell
 * whether the provider's devices sign and attest.
 */
export class Trust {
  constructor(private readonly deps: { wallets: Wallets; listings: Listings; hub: HubEvidence; clock: Clock }) {}

  private get db() {
    return this.deps.wallets.db;
  }

  async trade(id: string): Promise<Trade> {
    const r = await this.db.selectFrom('market_trades').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new MsecError('MARKET_TRADE_NOT_FOUND', `trade ${id} not found`);
    return tradeFromRow(r);
  }

  /**
   * Delivered / promised messages of a trade over its access window so far, from the hub's
   * history; null when the listing promised no message count.
   */
  async delivery(t: Trade, listing: Listing): Promise<{ delivered: number; promised: number; ratio: number } | null> {
    const perPeriod = listing.terms.promisedMessagesPerPeriod;
    if (perPeriod === undefined) return null;
    const end = Math.min(this.deps.clock.now(), t.accessUntil);
    const span = Math.max(1, end - t.accessFrom);
    const buckets =
      end > t.accessFrom
        ? await this.deps.hub.history.buckets(
            { provider: listing.provider, service: listing.service, resource: listing.resource },
            t.accessFrom,
            end,
            span,
          )
        : [];
    const delivered = buckets.reduce((s, b) => s + b.count, 0);
    const promised = Math.max(1, Math.round((perPeriod * (end - t.accessFrom)) / (listing.terms.periodSeconds * 1000)));
    return { delivered, promised, ratio: Math.min(1, delivered / promised) };
  }

  /** The buyer scores a trade once (1-5); the hub's delivery measure is kept beside the score. */
  async rate(
    actor: Owner,
    tradeId: string,
    score: number,
  ): Promise<{ tradeId: string; score: number; delivered: number | null }> {
    if (!Number.isInteger(score) || score < 1 || score > 5)
      throw new MsecError('VALIDATION_FAILED', 'score must be a whole number from 1 to 5');
    const t = await this.trade(tradeId);
    if (t.buyerId !== actor.id) throw new MsecError('MARKET_NOT_A_PARTY', 'only the buyer of a trade rates it');
    if (t.sellerOrg === actor.org)
      throw new MsecError('MARKET_SAME_ORG_RATING', 'a rating of your own organisation does not count');
    const listing = await this.deps.listings.require(t.listingId);
    const d = await this.delivery(t, listing);
    try {
      await this.db
        .insertInto('market_ratings')
        .values({
          trade_id: t.id,
          rater_id: actor.id,
          rater_org: actor.org,
          provider_org: t.sellerOrg,
          score,
          weight_paid: t.amount,
          delivered: d?.ratio ?? null,
          created_at: this.deps.clock.now(),
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new MsecError('MARKET_ALREADY_RATED', `trade ${tradeId} is rated already`);
      throw err;
    }
    return { tradeId: t.id, score, delivered: d?.ratio ?? null };
  }

  /**
   * Pro-rata refund once access ended: refund = floor(amount × (1 − delivered/promised)) minus
   * what was refunded before, paid by the seller's wallet.
   */
  async refund(actor: Owner, tradeId: string): Promise<{ refunded: number; delivered: number; promised: number }> {
    const t = await this.trade(tradeId);
    if (t.buyerId !== actor.id)
      throw new MsecError('MARKET_NOT_A_PARTY', 'only the buyer of a trade claims its refund');
    if (this.deps.clock.now() < t.accessUntil)
      throw new MsecError('MARKET_REFUND_NOT_DUE', 'a refund is computed once the access has ended');
    const listing = await this.deps.listings.require(t.listingId);
    const d = await this.delivery(t, listing);
    if (!d) throw new MsecError('MARKET_REFUND_NOT_DUE', 'the listing promised no message count');
    const due = Math.floor(t.amount * (1 - d.ratio)) - t.refunded;
    if (due <= 0)
      throw new MsecError(
        'MARKET_REFUND_NOT_DUE',
        `nothing is due: ${d.delivered} of ${d.promised} promised messages delivered`,
      );
    await this.db.transaction().execute(async (trx) => {
      const res = await trx
        .updateTable('market_trades')
        .set({ refunded: t.refunded + due })
        .where('id', '=', t.id)
        .where('refunded', '=', t.refunded)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw new MsecError('CONFLICT', 'the refund was claimed concurrently');
      await this.deps.wallets.post(trx, {
        kind: 'refund',
        actorId: actor.id,
        memo: `refund ${t.id}: ${d.delivered}/${d.promised} delivered`,
        idemKey: `refund:${t.id}:${t.refunded}`,
        entries: [
          { account: walletOf(t.sellerId), amount: -due },
          { account: walletOf(t.buyerId), amount: due },
        ],
      });
    });
    return { refunded: due, delivered: d.delivered, promised: d.promised };
  }

  /** Share (0..1) of a provider organisation's devices that are attested and not revoked. */
  private async attested(org: string): Promise<number> {
    const devices = this.deps.hub.devices;
    if (!devices) return 0;
    const list = await devices.registry.list({ org, limit: 1000 });
    if (list.length === 0) return 0;
    return list.filter((d) => d.attestation === 'attested' && d.status !== 'revoked').length / list.length;
  }

  async rankings(): Promise<Reputation[]> {
    const now = this.deps.clock.now();
    const ratings = await this.db.selectFrom('market_ratings').selectAll().execute();
    const trades = await this.db.selectFrom('market_trades').select(['buyer_org', 'seller_org']).distinct().execute();
    const providers = await this.db
      .selectFrom('market_listings')
      .select('provider_org')
      .select((eb) => eb.fn.min<number>('created_at').as('first'))
      .groupBy('provider_org')
      .execute();
    const evidence = await Promise.all(
      providers.map(async (p) => ({
        provider: p.provider_org,
        firstSeen: Number(p.first),
        attested: await this.attested(p.provider_org),
      })),
    );
    return computeReputations(
      ratings.map((r) => ({
        provider: r.provider_org,
        rater: r.rater_id,
        raterOrg: r.rater_org,
        providerOrg: r.provider_org,
        score: r.score,
        at: Number(r.created_at),
        paid: Number(r.weight_paid),
        delivered: r.delivered === null ? null : Number(r.delivered),
      })),
      evidence,
      trades.map((t) => ({ buyerOrg: t.buyer_org, sellerOrg: t.seller_org })),
      now,
    );
  }
}
