/** Clock skew tolerated before a timestamp counts as "in the future". */
export const MAX_FUTURE_SKEW_MS = 15 * 60_000;
/**
 * Before this instant a timestamp is "far past" (a zeroed or garbage clock). Offline replays of
 * old captures are legitimate, so the bound is a sanity floor, not a freshness window.
 */
export const FAR_PAST_MS = Date.UTC(1990, 0, 1);

// Suricata writes `2016-04-26T11:59:14.316458+0200` (no colon in the offset, microseconds),
// which Date.parse does not reliably accept; ISO 8601 with `Z` or `+02:00` is accepted too.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Milliseconds since the epoch, or undefined when the text is not an ISO-8601 timestamp. */
export function parseTimestamp(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60)
    return undefined;
  let t = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s), ms);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    t -= sign * offset;
  }
  return Number.isFinite(t) ? t : undefined;
}

/** Why a timestamp is refused, or undefined when it is plausible. */
export function timestampProblem(timeMs: number, now: number): string | undefined {
  if (timeMs > now + MAX_FUTURE_SKEW_MS) return `timestamp ${new Date(timeMs).toISOString()} is in the future`;
  if (timeMs < FAR_PAST_MS)
    return `timestamp ${new Date(timeMs).toISOString()} is before ${new Date(FAR_PAST_MS).toISOString()}`;
  return undefined;
}

let lastIsoMs = NaN;
let lastIso = '';
/** ISO text of the receive time: one per batch, so it is computed once, not per event. */
export function receivedIso(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
