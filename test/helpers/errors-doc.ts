/**
 * docs/errors.md's table, generated from src/server/http-status.ts (HTTP_STATUS) so it cannot
 * drift: test/docs-errors.test.ts fails when the page differs, and rewrites it when run with
 * MSEC_WRITE_DOCS=1. The MQTT column and the meanings are documentation kept here, by code.
 */
import { HTTP_STATUS } from '../../src/server/http-status.ts';

export const TABLE_START = '<!-- generated:error-table (test/helpers/errors-doc.ts) -->';
export const TABLE_END = '<!-- /generated:error-table -->';

const CLOSES = 'publish refused: the hub closes the connection';
const CONNACK = 'CONNECT refused: CONNACK 4 (bad user name or password)';

/** How a code shows over MQTT; a code not listed is never raised on the MQTT paths. */
const MQTT: Record<string, string> = {
  TOKEN_INVALID: CONNACK,
  TOKEN_EXPIRED: CONNACK,
  TOKEN_REVOKED: CONNACK,
  INVALID_CREDENTIALS: CONNACK,
  UNAUTHENTICATED: 'CONNECT without a password: CONNACK 5 (not authorized)',
  RATE_LIMITED: 'too many failed CONNECTs from one address: CONNACK 3 (server unavailable)',
  FORBIDDEN: 'publish outside the allowed topics: connection closed; subscribe: SUBACK 0x80',
  UNAVAILABLE: CLOSES + ' (not stored; resend the same bytes)',
  DEVICE_KEY_REVOKED: `${CONNACK}; a reading signed by a revoked key: ${CLOSES}`,
};
const READING_PATH = /^(READING_|COSE_)|^DEVICE_(UNKNOWN|QUARANTINED)$/;

/** One line on what the code means, for the codes a device or a data consumer meets. */
const MEANING: Record<string, string> = {
  VALIDATION_FAILED: 'the body, query or path does not match the route schema (details list the issues)',
  MALFORMED_JSON: 'the body is not JSON',
  UNSUPPORTED_MEDIA_TYPE: 'wrong Content-Type (readings are `application/cose`)',
  BODY_TOO_LARGE: 'the body is over the route limit',
  NOT_FOUND: 'no such route or resource',
  RATE_LIMITED: 'too many requests; retry after the `retry-after` seconds',
  UNAUTHENTICATED: 'no credential where one is required',
  INVALID_CREDENTIALS: 'wrong user name or password',
  TOKEN_INVALID: 'the bearer token or device credential is malformed, badly signed, for another audience or device',
  TOKEN_EXPIRED: 'the token or device credential has expired',
  TOKEN_REVOKED: 'the token was revoked',
  FORBIDDEN: 'authenticated, but the policy does not allow this action on this resource',
  UNAVAILABLE: 'the hub could not store or serve now; retry',
  COSE_BAD_SIGNATURE: 'the reading signature does not verify with the device key',
  COSE_DECRYPT_FAILED: 'a sealed reading could not be decrypted with the hub key',
  COSE_MALFORMED: 'not a well-formed COSE_Sign1 / COSE_Encrypt of our profile',
  COSE_TOO_LARGE: 'the COSE message is over 16 KiB (sealed: 17 KiB)',
  COSE_UNSUPPORTED_ALG: 'an algorithm other than ES256 (signature) or A256GCM + ECDH-ES-HKDF-256 (sealing)',
  DEVICE_UNKNOWN: 'the reading kid names no enrolled device',
  DEVICE_KEY_REVOKED: 'the device or the key that signed is revoked',
  DEVICE_QUARANTINED: 'the device failed attestation and is quarantined',
  DEVICE_EXISTS: 'enrollment: the device id is already enrolled',
  DEVICE_ID_TAKEN: 'enrollment: another principal has this name',
  ENROLLMENT_TOKEN_INVALID: 'enrollment token invalid, expired or used up',
  ENROLLMENT_SESSION_INVALID: 'enrollment session unknown, expired or finished; start again',
  ENROLLMENT_PROOF_INVALID: 'the proof-of-possession signature does not verify',
  ENROLLMENT_KEY_INVALID: 'the signing key is not a valid P-256 public key',
  READING_INVALID: 'the payload breaks the CDDL of wire-format.md, or kid differs from the device id',
  READING_REPLAYED: 'the counter is not above the last accepted one',
  READING_STALE: 'the timestamp is outside the freshness window',
  READING_SUBJECT_MISMATCH: "the credential is another device's (or another org's relay)",
  READING_TOO_LARGE: 'the reading is too large',
  READING_WRONG_PROVIDER: 'the resource path does not start with the device id',
  LEDGER_INDEX_OUT_OF_RANGE: 'no ledger entry or batch reading at this index',
  LEDGER_SIZE_INVALID: 'a consistency proof between sizes the log does not have',
};

function mqttOf(code: string): string {
  return MQTT[code] ?? (READING_PATH.test(code) ? CLOSES : '— (HTTP only)');
}

export function errorTable(): string {
  const rows = Object.entries(HTTP_STATUS)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, status]) => `| \`${code}\` | ${status} | ${mqttOf(code)} | ${MEANING[code] ?? ''} |`);
  return [TABLE_START, '| code | HTTP | MQTT | meaning |', '|---|---|---|---|', ...rows, TABLE_END].join('\n');
}

/** The document with its table replaced by the generated one. */
export function withTable(doc: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('docs/errors.md lacks the generated table markers');
  return doc.slice(0, start) + errorTable() + doc.slice(end + TABLE_END.length);
}
