/** The IoT marketplace: wallets in the MSEC token, listings of hub resources, matching, settlement, reputation. */
export { MARKET_ERROR_CODES, type MarketErrorCode } from './errors.ts';
