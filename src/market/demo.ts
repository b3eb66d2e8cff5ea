import type { ModuleContext } from '../core/index.ts';
import { HUB_TWINS } from '../hub/index.ts';
import { IAM } from '../iam/index.ts';
import type { Market } from './market.ts';

const BUYERS = 'demo-buyers';

/**
 * `msec up --demo`: each city lists one of its live streams, a buyer bot gets tokens, buys an
 * hour of each, and rates the trades — so wallets, rankings and the ledger show a market at work.
 */
export function startMarketDemo(ctx: ModuleContext, market: Market): { stop(): Promise<void> } {
  // The cities' devices publish their first readings (creating the twins) after start-up: retry,
  // bounded, in the background so start-up does not wait.
  let stopped = false;
  const running = (async () => {
    for (let attempt = 0; attempt < 60 && !stopped; attempt++) {
      try {
        if (await runMarketDemo(ctx, market)) return;
      } catch (err) {
        ctx.logger.warn({ err }, 'market demo step failed');
      }
      await new Promise((r) => setTimeout(r, 1000).unref());
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

/** One attempt; true once both cities are listed (or the demo ran before). */
export async function runMarketDemo(ctx: ModuleContext, market: Market): Promise<boolean> {
  const listed = await market.listings.list({ status: 'open' });
  if (listed.length >= 2) return true;
  const dir = ctx.services.get(IAM).directory;
  const twins = ctx.services.get(HUB_TWINS);
  if (!(await dir.getOrg(BUYERS))) await dir.createOrg({ id: BUYERS, name: 'Demo buyers', kind: 'buyer' });
  const botPrincipal =
    (await dir.list({ orgId: BUYERS, limit: 1 }))[0] ??
    (await dir.createPrincipal({ orgId: BUYERS, kind: 'service', name: 'market-bot', roles: ['consumer'] }));
  const bot = { id: botPrincipal.id, org: BUYERS };
  await market.wallets.mint(bot, 100_000_000, 'demo', `demo-mint:${bot.id}`);
  const providers = await twins.listProviders();
  let done = 0;
  for (const city of ['santander', 'fujisawa']) {
    if (listed.some((l) => l.providerOrg === city)) {
      done++;
      continue;
    }
    const provider = providers.find((p) => p.org === city);
    if (!provider) continue;
    const resource = (await twins.listResources(provider)).find((r) => r.service !== 'admin' && r.kind === 'sensor');
    if (!resource) continue;
    const seller =
      (await dir.list({ orgId: city, limit: 1 }))[0] ??
      (await dir.createPrincipal({ orgId: city, kind: 'service', name: `${city}-market`, roles: ['provider'] }));
    const listing = await market.listings.create(
      { id: seller.id, org: city },
      {
        kind: 'live',
        provider: provider.provider,
        service: resource.service,
        resource: resource.resource,
        terms: {
          pricing: 'per-period',
          price: 2_000_000,
          periodSeconds: 3600,
          promisedMessagesPerPeriod: 60,
          licence: 'CC-BY-4.0',
          description: `${city}: live ${resource.service}/${resource.resource}`,
        },
      },
    );
    const { trade } = await market.exchange.buyNow(bot, listing.id, 1, `demo-buy:${listing.id}`);
    await market.trust.rate(bot, trade.id, city === 'santander' ? 5 : 4);
    ctx.logger.info({ listing: listing.id, trade: trade.id, city }, 'market demo: listed, bought and rated');
    done++;
  }
  return done === 2;
}
