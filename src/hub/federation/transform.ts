import { createHmac } from 'node:crypto';
import { nameMatches } from '../twins/names.ts';

/**
 * Whether `provider/service/resource` is covered by one of the agreement's patterns. A provider of
 * `undefined` (a pseudonym, which no provider pattern can be checked against) matches any.
 */
export function covered(
  patterns: readonly string[],
  provider: string | undefined,
  service: string,
  resource: string,
): boolean {
  return patterns.some((p) => {
    const [ps = '', ss = '*', rs = '*'] = p.split('/');
    return (
      (provider === undefined || nameMatches(ps, provider)) && nameMatches(ss, service) && nameMatches(rs, resource)
    );
  });
}

/** A stable pseudonym of a device id under the agreement's secret (HMAC-SHA-256, 16 hex chars). */
export function pseudonym(secret: string, deviceId: string): string {
  return `ps-${createHmac('sha256', secret).update(deviceId).digest('hex').slice(0, 16)}`;
}

/** Precision reduction of numeric values; other values pass unchanged. */
export function roundValue<V>(value: V, decimals: number | null): V {
  if (decimals === null || typeof value !== 'number') return value;
  const f = 10 ** decimals;
  return (Math.round(value * f) / f) as V;
}
