import { MsecError } from '../core/index.ts';

/**
 * Token amounts are integers of minor units: 1 MSEC = 1,000,000 µMSEC (six decimals). Every
 * amount, balance and the whole supply stay within Number.MAX_SAFE_INTEGER (about 9.0e9 MSEC),
 * so JavaScript numbers, SQLite INTEGER and PostgreSQL BIGINT all hold them exactly.
 */
export const MINOR_UNITS_PER_TOKEN = 1_000_000;
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;
/** Quantities (access periods, units) per order: enough for any real trade, far from overflow. */
export const MAX_QUANTITY = 1_000_000;

/** A positive integer amount of minor units, or MARKET_AMOUNT_INVALID naming `what`. */
export function assertAmount(x: unknown, what = 'amount'): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x <= 0) {
    throw new MsecError(
      'MARKET_AMOUNT_INVALID',
      `${what} must be a positive whole number of minor units (1 MSEC = ${MINOR_UNITS_PER_TOKEN}) up to ${MAX_AMOUNT}`,
    );
  }
  return x;
}

export function assertQuantity(x: unknown, what = 'quantity'): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x <= 0 || x > MAX_QUANTITY) {
    throw new MsecError('MARKET_AMOUNT_INVALID', `${what} must be a whole number from 1 to ${MAX_QUANTITY}`);
  }
  return x;
}

/** price × quantity, refused when the product leaves the exact range. */
export function costOf(price: number, quantity: number): number {
  const c = price * quantity;
  if (!Number.isSafeInteger(c))
    throw new MsecError('MARKET_AMOUNT_INVALID', `price × quantity exceeds ${MAX_AMOUNT} minor units`);
  return c;
}

/** Parses "12.5" (tokens, up to six decimals) or a plain integer of minor units written "12500000u". */
export function parseTokens(text: string): number {
  const m = /^(\d{1,10})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw new MsecError('MARKET_AMOUNT_INVALID', `"${text}" is not an amount of MSEC with at most 6 decimals`);
  return assertAmount(Number(m[1]) * MINOR_UNITS_PER_TOKEN + Number((m[2] ?? '').padEnd(6, '0')));
}

/** Minor units as a decimal token string ("12.5"). */
export function formatTokens(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const a = Math.abs(minor);
  const whole = Math.floor(a / MINOR_UNITS_PER_TOKEN);
  const frac = String(a % MINOR_UNITS_PER_TOKEN)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}
