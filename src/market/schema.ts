import { sql, type Generated } from 'kysely';
import { columnTypes, type ModuleMigration } from '../core/index.ts';
import { MAX_AMOUNT } from './amounts.ts';

/** Row types of the market's tables, for `store.db.withTables<MarketTables>()`. */
export type MarketTables = {
  /** One row per account: a principal's wallet and escrow, and the issuer (the minted supply, negative). */
  market_accounts: {
    id: string;
    owner_id: string;
    org: string;
    kind: 'wallet' | 'escrow' | 'issuer';
    balance: number;
    created_at: number;
  };
  /** A transfer: balanced entries posted together; `idem_key` makes a retried request a no-op. */
  market_transfers: {
    id: string;
    idem_key: string | null;
    fingerprint: string;
    kind: string;
    actor_id: string;
    memo: string | null;
    created_at: number;
  };
  market_entries: {
    id: Generated<number>;
    transfer_id: string;
    account_id: string;
    amount: number;
    created_at: number;
  };
  market_listings: {
    id: string;
    owner_id: string;
    provider_org: string;
    class: string;
    kind: string;
    provider: string;
    service: string;
    resource: string;
    terms: string;
    status: 'open' | 'closed';
    created_at: number;
    closed_at: number | null;
  };
  market_orders: {
    seq: number;
    id: string;
    idem_key: string | null;
    class: string;
    listing_id: string | null;
    side: 'bid' | 'ask';
    type: 'limit' | 'market';
    price: number | null;
    quantity: number;
    remaining: number;
    owner_id: string;
    owner_org: string;
    escrow: number;
    status: 'open' | 'filled' | 'cancelled' | 'expired';
    expires_at: number | null;
    created_at: number;
    closed_at: number | null;
  };
  market_trades: {
    id: string;
    class: string;
    listing_id: string;
    bid_id: string | null;
    ask_id: string | null;
    buyer_id: string;
    buyer_org: string;
    seller_id: string;
    seller_org: string;
    price: number;
    quantity: number;
    amount: number;
    grant_id: string;
    access_from: number;
    access_until: number;
    refunded: number;
    ledger_index: number | null;
    idem_key: string | null;
    created_at: number;
  };
  /** One row per UTC day once its totals are on the ledger. */
  market_daily: { day: string; document: string; ledger_index: number };
  market_ratings: {
    trade_id: string;
    rater_id: string;
    rater_org: string;
    provider_org: string;
    score: number;
    weight_paid: number;
    delivered: number | null;
    created_at: number;
  };
};

export const marketMigrations: ModuleMigration[] = [
  {
    name: 'market_001_wallets_orders_trades',
    async up(db, dialect) {
      const t = columnTypes(dialect);
      await db.schema
        .createTable('market_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('org', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('balance', t.bigint, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        // No negative balance, enforced by the database inside the transfer's own transaction; the
        // issuer's (negative) balance bounds the supply so every sum stays exact.
        .addCheckConstraint(
          'market_accounts_balance',
          sql.raw(
            `(kind = 'issuer' AND balance >= -${MAX_AMOUNT} AND balance <= 0) OR (kind <> 'issuer' AND balance >= 0 AND balance <= ${MAX_AMOUNT})`,
          ),
        )
        .execute();
      await db.schema.createIndex('market_accounts_owner').on('market_accounts').column('owner_id').execute();
      await db.schema
        .createTable('market_transfers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('idem_key', 'text', (c) => c.unique())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('memo', 'text')
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('market_entries')
        .addColumn('id', t.autoId, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('transfer_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('amount', t.bigint, (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('market_entries_account')
        .on('market_entries')
        .columns(['account_id', 'id'])
        .execute();
      await db.schema.createIndex('market_entries_transfer').on('market_entries').column('transfer_id').execute();
      await db.schema
        .createTable('market_listings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('provider_org', 'text', (c) => c.notNull())
        .addColumn('class', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('resource', 'text', (c) => c.notNull())
        .addColumn('terms', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('closed_at', t.bigint)
        .execute();
      await db.schema
        .createTable('market_orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Arrival order (time priority), assigned by the exchange in one process.
        .addColumn('seq', t.bigint, (c) => c.notNull().unique())
        .addColumn('idem_key', 'text', (c) => c.unique())
        .addColumn('class', 'text', (c) => c.notNull())
        .addColumn('listing_id', 'text')
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('price', t.bigint)
        .addColumn('quantity', t.bigint, (c) => c.notNull())
        .addColumn('remaining', t.bigint, (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('owner_org', 'text', (c) => c.notNull())
        .addColumn('escrow', t.bigint, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at', t.bigint)
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .addColumn('closed_at', t.bigint)
        .execute();
      await db.schema.createIndex('market_orders_open').on('market_orders').columns(['status', 'class']).execute();
      await db.schema
        .createTable('market_trades')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('class', 'text', (c) => c.notNull())
        .addColumn('listing_id', 'text', (c) => c.notNull())
        .addColumn('bid_id', 'text')
        .addColumn('ask_id', 'text')
        .addColumn('buyer_id', 'text', (c) => c.notNull())
        .addColumn('buyer_org', 'text', (c) => c.notNull())
        .addColumn('seller_id', 'text', (c) => c.notNull())
        .addColumn('seller_org', 'text', (c) => c.notNull())
        .addColumn('price', t.bigint, (c) => c.notNull())
        .addColumn('quantity', t.bigint, (c) => c.notNull())
        .addColumn('amount', t.bigint, (c) => c.notNull())
        .addColumn('grant_id', 'text', (c) => c.notNull())
        .addColumn('access_from', t.bigint, (c) => c.notNull())
        .addColumn('access_until', t.bigint, (c) => c.notNull())
        .addColumn('refunded', t.bigint, (c) => c.notNull())
        .addColumn('ledger_index', t.bigint)
        .addColumn('idem_key', 'text', (c) => c.unique())
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('market_daily')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('ledger_index', t.bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('market_trades_buyer').on('market_trades').column('buyer_id').execute();
      await db.schema.createIndex('market_trades_seller').on('market_trades').column('seller_org').execute();
      await db.schema
        .createTable('market_ratings')
        .addColumn('trade_id', 'text', (c) => c.primaryKey())
        .addColumn('rater_id', 'text', (c) => c.notNull())
        .addColumn('rater_org', 'text', (c) => c.notNull())
        .addColumn('provider_org', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('weight_paid', t.bigint, (c) => c.notNull())
        .addColumn('delivered', 'real')
        .addColumn('created_at', t.bigint, (c) => c.notNull())
        .execute();
    },
  },
];
