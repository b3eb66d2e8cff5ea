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
  return parseSuricataUtc(text) ?? parseIso(text);
}

/** The value of `n` ASCII digits at `at`, or -1 if any is not a digit. */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Fast path for what gateways write all day, `2016-04-26T11:59:14.316458+0000` (UTC, 1-9 fraction
 * digits): read by character codes instead of a regular expression, a tenth of the normaliser's time.
 * Anything else (another zone, no fraction, a bad digit) returns undefined and takes the general path,
 * which is the definition: a property test holds the two equal.
 */
export function parseSuricataUtc(text: string): number | undefined {
  const n = text.length;
  if (n < 26 || n > 34 || !text.endsWith('+0000')) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 46) return undefined;
  const s = digits(text, 17, 2);
  const fracLen = n - 5 - 20;
  if (s < 0 || s > 60 || fracLen < 1 || fracLen > 9 || digits(text, 20, fracLen) < 0) return undefined;
  const ms = digits(text, 20, Math.min(3, fracLen)) * (fracLen === 1 ? 100 : fracLen === 2 ? 10 : 1);
  const minute = minuteOf(text);
  return minute === undefined ? undefined : minute + s * 1000 + ms;
}

/**
 * The instant of `YYYY-MM-DDTHH:MM` at the start of `text`, cached: a gateway's events arrive in
 * bursts of the same minute, and Date.UTC per event was most of this parser's time.
 */
let lastMinuteText = '';
let lastMinuteMs = 0;
function minuteOf(text: string): number | undefined {
  if (lastMinuteText.length === 16 && text.startsWith(lastMinuteText)) return lastMinuteMs;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59) return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi);
  if (!Number.isFinite(t)) return undefined;
  lastMinuteText = text.slice(0, 16);
  lastMinuteMs = t;
  return t;
}

/** Any ISO-8601 form the contract accepts (the general path). */
export function parseIso(text: string): number | undefined {
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
