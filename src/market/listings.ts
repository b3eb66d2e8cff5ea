import Type, { type Static } from 'typebox';
import { MsecError, newId, type Clock } from '../core/index.ts';
import { AGGREGATE_WINDOW_SECONDS, type TwinStore } from '../hub/index.ts';
import { assertAmount, costOf } from './amounts.ts';
import type { MarketTables } from './schema.ts';
import type { MarketDb } from './wallets.ts';

export const LISTING_KINDS = ['live', 'history', 'aggregate', 'service'] as const;
export type ListingKind = (typeof LISTING_KINDS)[number];

const Segment = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' });

/** Terms of a listing; the aggregate spec is the hub federation's (window seconds, statistic). */
export const TermsSchema = Type.Object(
  {
    pricing: Type.Union([Type.Literal('per-period'), Type.Literal('per-message')]),
    /** Minor units per period, or per promised message. */
    price: Type.Integer({ minimum: 1 }),
    /** Access one unit buys, in seconds (1 minute to 365 days). */
    periodSeconds: Type.Integer({ minimum: 60, maximum: 365 * 86400 }),
    /** Messages the provider promises per period: the basis of pro-rata refunds; required for per-message. */
    promisedMessagesPerPeriod: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
    /** Decimals kept on numeric values (precision reduction), as in federation agreements. */
    decimals: Type.Optional(Type.Integer({ minimum: 0, maximum: 12 })),
    aggregate: Type.Optional(
      Type.Object(
        {
          windowSeconds: Type.Integer({ minimum: AGGREGATE_WINDOW_SECONDS.min, maximum: AGGREGATE_WINDOW_SECONDS.max }),
          statistic: Type.Union([Type.Literal('avg'), Type.Literal('min'), Type.Literal('max'), Type.Literal('count')]),
        },
        { additionalProperties: false },
      ),
    ),
    historyFrom: Type.Optional(Type.Integer({ minimum: 0 })),
    historyTo: Type.Optional(Type.Integer({ minimum: 0 })),
    licence: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type Terms = Static<typeof TermsSchema>;

export const NewListingSchema = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('live'),
      Type.Literal('history'),
      Type.Literal('aggregate'),
      Type.Literal('service'),
    ]),
    provider: Segment,
    service: Segment,
    resource: Segment,
    /** Listings of one class trade in one book; defaults to the listing's own id. */
    class: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9:._-]+$' })),
    terms: TermsSchema,
  },
  { additionalProperties: false },
);
export type NewListing = Static<typeof NewListingSchema>;

export interface Listing {
  id: string;
  ownerId: string;
  providerOrg: string;
  class: string;
  kind: ListingKind;
  provider: string;
  service: string;
  resource: string;
  terms: Terms;
  status: 'open' | 'closed';
  createdAt: number;
  closedAt: number | null;
}

/** Price of one unit (one period of access) in minor units. */
export function unitPrice(l: Pick<Listing, 'terms'>): number {
  const t = l.terms;
  return t.pricing === 'per-period' ? t.price : costOf(t.price, t.promisedMessagesPerPeriod ?? 1);
}

function fromRow(r: MarketTables['market_listings']): Listing {
  return {
    id: r.id,
    ownerId: r.owner_id,
    providerOrg: r.provider_org,
    class: r.class,
    kind: r.kind as ListingKind,
    provider: r.provider,
    service: r.service,
    resource: r.resource,
    terms: JSON.parse(r.terms) as Terms,
    status: r.status,
    createdAt: Number(r.created_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
  };
}

/** Checks terms beyond their shape: per-message needs a promise, aggregate listings a spec, history a range. */
function assertTerms(kind: ListingKind, t: Terms): void {
  assertAmount(t.price, 'price');
  if (t.pricing === 'per-message' && t.promisedMessagesPerPeriod === undefined)
    throw new MsecError('MARKET_TERMS_INVALID', 'per-message pricing needs promisedMessagesPerPeriod');
  if (kind === 'aggregate' && !t.aggregate)
    throw new MsecError(
      'MARKET_TERMS_INVALID',
      'an aggregate listing needs terms.aggregate (windowSeconds, statistic)',
    );
  if (kind !== 'aggregate' && t.aggregate)
    throw new MsecError('MARKET_TERMS_INVALID', 'terms.aggregate applies to aggregate listings only');
  if (kind === 'history' && (t.historyFrom === undefined || t.historyTo === undefined || t.historyFrom >= t.historyTo))
    throw new MsecError('MARKET_TERMS_INVALID', 'a history listing needs historyFrom < historyTo');
  unitPrice({ terms: t });
}

/** Listings in the store; a listing offers only what its provider's organisation owns on the hub. */
export class Listings {
  constructor(
    private readonly db: MarketDb,
    private readonly twins: TwinStore,
    private readonly clock: Clock,
  ) {}

  async create(owner: { id: string; org: string }, input: NewListing): Promise<Listing> {
    assertTerms(input.kind, input.terms);
    const provider = await this.twins.getProvider(input.provider);
    if (!provider) throw new MsecError('MARKET_RESOURCE_NOT_FOUND', `hub provider ${input.provider} not found`);
    if (provider.org !== owner.org)
      throw new MsecError('MARKET_NOT_RESOURCE_OWNER', `provider ${input.provider} belongs to another organisation`);
    const resource = await this.twins.getResource(provider, {
      provider: input.provider,
      service: input.service,
      resource: input.resource,
    });
    if (!resource)
      throw new MsecError(
        'MARKET_RESOURCE_NOT_FOUND',
        `resource ${input.provider}/${input.service}/${input.resource} not found on the hub`,
      );
    const id = newId('lst');
    const cls = input.class ?? id;
    const sibling = await this.db
      .selectFrom('market_listings')
      .selectAll()
      .where('class', '=', cls)
      .where('status', '=', 'open')
      .executeTakeFirst();
    // One book trades one kind of unit: listings sharing a class share kind and period.
    if (
      sibling &&
      (sibling.kind !== input.kind || (JSON.parse(sibling.terms) as Terms).periodSeconds !== input.terms.periodSeconds)
    ) {
      throw new MsecError(
        'MARKET_CLASS_MISMATCH',
        `class ${cls} trades ${sibling.kind} access in periods of ${(JSON.parse(sibling.terms) as Terms).periodSeconds} s`,
      );
    }
    const listing: Listing = {
      id,
      ownerId: owner.id,
      providerOrg: owner.org,
      class: cls,
      kind: input.kind,
      provider: input.provider,
      service: input.service,
      resource: input.resource,
      terms: input.terms,
      status: 'open',
      createdAt: this.clock.now(),
      closedAt: null,
    };
    await this.db
      .insertInto('market_listings')
      .values({
        id,
        owner_id: owner.id,
        provider_org: owner.org,
        class: cls,
        kind: input.kind,
        provider: input.provider,
        service: input.service,
        resource: input.resource,
        terms: JSON.stringify(input.terms),
        status: 'open',
        created_at: listing.createdAt,
        closed_at: null,
      })
      .execute();
    return listing;
  }

  async get(id: string, db: MarketDb = this.db): Promise<Listing | undefined> {
    const r = await db.selectFrom('market_listings').selectAll().where('id', '=', id).executeTakeFirst();
    return r && fromRow(r);
  }

  async require(id: string, db: MarketDb = this.db): Promise<Listing> {
    const l = await this.get(id, db);
    if (!l) throw new MsecError('MARKET_LISTING_NOT_FOUND', `listing ${id} not found`);
    return l;
  }

  async list(filter: { status?: 'open' | 'closed'; providerOrg?: string; class?: string } = {}): Promise<Listing[]> {
    let q = this.db.selectFrom('market_listings').selectAll().orderBy('created_at');
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.providerOrg) q = q.where('provider_org', '=', filter.providerOrg);
    if (filter.class) q = q.where('class', '=', filter.class);
    return (await q.limit(1000).execute()).map(fromRow);
  }

  async close(id: string, db: MarketDb = this.db): Promise<void> {
    await db
      .updateTable('market_listings')
      .set({ status: 'closed', closed_at: this.clock.now() })
      .where('id', '=', id)
      .execute();
  }
}
