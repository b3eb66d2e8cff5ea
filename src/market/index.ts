/** The IoT marketplace: wallets in the MSEC token, listings of hub resources, matching, settlement, reputation. */
export { marketModule, MARKET, MARKET_POLICY, type MarketModuleOptions } from './module.ts';
export { marketMigrations, type MarketTables } from './schema.ts';
export type { Market } from './market.ts';
export { MINOR_UNITS_PER_TOKEN, parseTokens, formatTokens } from './amounts.ts';
export { computeReputations, plainAverage, kendallTau, type Reputation } from './reputation.ts';
export { MARKET_ERROR_CODES, type MarketErrorCode } from './errors.ts';
export { MarketClient } from './client.ts';
