import { MsecError } from '../../core/index.ts';
import { roundValue } from '../federation/transform.ts';
import type { HistoryBucket, HistoryPoint } from '../history/history-store.ts';
import type { GrantTerms } from './access.ts';

/**
 * Delivery under a grant's terms (docs/market.md, "Terms on delivery"). Rounded data drops the
 * device's COSE_Sign1 and signature proof (they would reveal the exact value); an aggregate-only
 * grant gets no single readings at all, only window aggregates from the history API.
 */
export function readingUnderTerms<R extends { value: unknown; cose?: unknown }>(
  reading: R,
  terms: GrantTerms | undefined,
): (Omit<R, 'cose'> & { terms?: GrantTerms }) | null {
  if (!terms) return reading;
  if (terms.aggregate) return null;
  const { cose: _cose, ...rest } = reading;
  return { ...rest, value: roundValue(reading.value, terms.decimals ?? null), terms };
}

/** A stored history point under terms (rounded), or null where only aggregates may be read. */
export function pointUnderTerms(p: HistoryPoint, terms: GrantTerms | undefined): HistoryPoint | null {
  if (!terms) return p;
  if (terms.aggregate) return null;
  return { ...p, value: roundValue(p.value, terms.decimals ?? null) };
}

/** The one statistic an aggregate grant sells, per window, rounded if the terms say so. */
export function bucketsUnderTerms(
  buckets: HistoryBucket[],
  terms: GrantTerms,
): Array<{ start: number; count: number; value: number | null; statistic: string }> {
  const spec = terms.aggregate!;
  const d = terms.decimals ?? null;
  return buckets
    .filter((b) => b.count > 0)
    .map((b) => {
      const v = spec.statistic === 'count' ? b.count : b[spec.statistic];
      return { start: b.start, count: b.count, value: v === null ? null : roundValue(v, d), statistic: spec.statistic };
    });
}

/** Refuses what an aggregate-only grant does not sell (single values, the latest reading). */
export function refuseSingleValues(terms: GrantTerms | undefined): void {
  if (terms?.aggregate)
    throw new MsecError(
      'FORBIDDEN',
      `this access covers ${terms.aggregate.windowSeconds}-second ${terms.aggregate.statistic} aggregates only: read them from .../history`,
    );
}
