import type { ModuleContext } from '../core/index.ts';
import { HUB_TWINS } from '../hub/index.ts';
import { IAM } from '../iam/index.ts';
import type { Market } from './market.ts';

const BUYERS = 'demo-buyers';

/**
 * `msec up --demo`: each city lists one of its live streams, a buyer bot gets tokens, buys an
 * hour of each, and rates the trades — so wallets, rankings and the ledger show a market at work.
 */
export async function runMarketDemo(ctx: ModuleContext, market: Market): Promise<void> {
  if ((await market.listings.list({ status: 'open' })).length > 0) return;
  const dir = ctx.services.get(IAM).directory;
  const twins = ctx.services.get(HUB_TWINS);
  if (!(await dir.getOrg(BUYERS))) await dir.createOrg({ id: BUYERS, name: 'Demo buyers', kind: 'buyer' });
  const botPrincipal = await dir.createPrincipal({ orgId: BUYERS, kind: 'service', name: 'market-bot', roles: ['consumer'] });
  const bot = { id: botPrincipal.id, org: BUYERS };
  await market.wallets.mint(bot, 100_000_000, 'demo', `demo-mint:${bot.id}`);
  const providers = await twins.listProviders();
  for (const city of ['santander', 'fujisawa']) {
    const provider = providers.find((p) => p.org === city);
    if (!provider) continue;
    const resource = (await twins.listResources(provider)).find((r) => r.service !== 'admin' && r.kind === 'sensor');
    if (!resource) continue;
    const seller = (await dir.list({ orgId: city, limit: 1 }))[0] ?? (await dir.createPrincipal({ orgId: city, kind: 'service', name: `${city}-market`, roles: ['provider'] }));
    const listing = await market.listings.create({ id: seller.id, org: city }, {
      kind: 'live', provider: provider.provider, service: resource.service, resource: resource.resource,
      terms: { pricing: 'per-period', price: 2_000_000, periodSeconds: 3600, promisedMessagesPerPeriod: 60, licence: 'CC-BY-4.0', description: `${city}: live ${resource.service}/${resource.resource}` },
    });
    const { trade } = await market.exchange.buyNow(bot, listing.id, 1, `demo-buy:${listing.id}`);
    await market.trust.rate(bot, trade.id, city === 'santander' ? 5 : 4);
    ctx.logger.info({ listing: listing.id, trade: trade.id, city }, 'market demo: listed, bought and rated');
  }
}
