import { serviceKey, type PlatformModule } from '../core/index.ts';
import { HUB_DEVICES, HUB_GRANTS, HUB_HISTORY, HUB_TWINS } from '../hub/index.ts';
import { IAM, type PolicyStatement, type Role } from '../iam/index.ts';
import { LEDGER_LOG } from '../ledger/index.ts';
import { startMarketDemo } from './demo.ts';
import { Market } from './market.ts';
import { marketRoutes } from './routes.ts';
import { marketMigrations } from './schema.ts';

/** The market, for modules and tools built on it. */
export const MARKET = serviceKey<Market>('market');

const PEOPLE: Role[] = ['admin', 'operator', 'analyst', 'provider', 'consumer'];
const TRADERS: Role[] = ['admin', 'operator', 'provider', 'consumer'];

export const MARKET_POLICY: PolicyStatement[] = [
  {
    id: 'market-browse',
    effect: 'allow',
    roles: PEOPLE,
    actions: ['market:listing:read', 'market:book:read', 'market:ranking:read'],
    scope: 'any',
    description: 'listings, books and rankings are public to members',
  },
  {
    id: 'market-trade-self',
    effect: 'allow',
    roles: TRADERS,
    actions: ['market:order:*', 'market:trade:*', 'market:wallet:*'],
    scope: 'self',
    description: 'traders (people and agents with API keys) manage their own wallet, orders and trades',
  },
  {
    id: 'market-list',
    effect: 'allow',
    roles: ['admin', 'operator', 'provider'],
    actions: ['market:listing:create', 'market:listing:close'],
    scope: 'own-org',
    description: 'an organisation lists and closes its own hub resources',
  },
  {
    id: 'market-operator',
    effect: 'allow',
    roles: ['admin', 'operator'],
    actions: ['market:token:mint', 'market:audit:read'],
    scope: 'platform',
    description: 'only the market operator (the platform organisation) mints MSEC and audits the books',
  },
];

export interface MarketModuleOptions {
  sweepMs?: number;
}

/** Listings, wallets, matching, settlement into hub grants, trust and reputation. */
export function marketModule(opts: MarketModuleOptions = {}): PlatformModule {
  let market: Market | undefined;
  let demo: { stop(): Promise<void> } | undefined;
  return {
    name: 'market',
    needs: [IAM, LEDGER_LOG, HUB_TWINS, HUB_GRANTS, HUB_HISTORY],
    uses: [HUB_DEVICES],
    provides: [MARKET],
    migrations: marketMigrations,
    policy: MARKET_POLICY,
    async start(ctx) {
      const s = ctx.services;
      market = new Market({
        store: ctx.store,
        clock: ctx.clock,
        logger: ctx.logger,
        grants: s.get(HUB_GRANTS),
        log: s.get(LEDGER_LOG),
        hub: { twins: s.get(HUB_TWINS), history: s.get(HUB_HISTORY), devices: s.find(HUB_DEVICES) },
        ...(opts.sweepMs !== undefined ? { sweepMs: opts.sweepMs } : {}),
      });
      await market.start();
      s.provide(MARKET, market);
    },
    async routes(app, ctx) {
      if (!market) throw new Error('the market module has not started');
      await marketRoutes(app, market, () => ctx.services.get(IAM), ctx.bus);
    },
    async demo(ctx) {
      if (market) demo = startMarketDemo(ctx, market);
    },
    async stop() {
      await demo?.stop();
      await market?.stop();
    },
  };
}
