/**
 * The catalogue of bus subjects: producers and consumers (the ledger, the monitor) import these
 * names instead of spelling strings. Security events are `security.<source>.<kind>`.
 */
export const SUBJECTS = {
  readingAccepted: 'hub.reading.accepted',
  readingRejected: 'hub.reading.rejected',
  /** Every security event, for a subscriber that wants them all. */
  securityAll: 'security.>',
} as const;

/** Where security events come from, and the kinds each source raises. */
export const SECURITY_EVENTS = {
  api: ['login-failed', 'account-locked', 'auth-failed', 'access-denied'],
  hub: [
    'device-quarantined',
    'anonymous',
    'auth-failed',
    'connect-throttled',
    'connection-flood',
    'oversized-packet',
    'malformed-packet',
    'publish-denied',
    'subscribe-denied',
    'reading-rejected',
    'session-ended',
  ],
  iam: ['session-revoked'],
  gateway: ['knock-accepted', 'knock-refused'],
  market: ['wash-trade-refused', 'rating-refused'],
} as const;

export type SecuritySource = keyof typeof SECURITY_EVENTS;
export type SecurityKind<S extends SecuritySource> = (typeof SECURITY_EVENTS)[S][number];

/** `security.hub.device-quarantined`: the subject of one security event kind. */
export function securitySubject<S extends SecuritySource>(source: S, kind: SecurityKind<S>): string {
  return `security.${source}.${kind}`;
}

/** Splits a security subject back into its source and kind; undefined for other subjects. */
export function parseSecuritySubject(subject: string): { source: SecuritySource; kind: string } | undefined {
  const m = /^security\.([a-z]+)\.([a-z0-9-]+)$/.exec(subject);
  if (!m || !(m[1]! in SECURITY_EVENTS)) return undefined;
  return { source: m[1] as SecuritySource, kind: m[2]! };
}
