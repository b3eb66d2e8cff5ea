/** Stable error codes of the certificate authority (HTTP statuses in src/server/http-status.ts). */
export const CA_ERROR_CODES = [
  /** The CSR is not PKCS #10 PEM/DER, its self-signature does not verify, or its key is not ECDSA P-256. */
  'CA_CSR_INVALID',
  /** `key: "enrolled"` was asked for but the CSR's key is not the device's enrolled signing key. */
  'CA_KEY_MISMATCH',
  /** Only devices and services get client certificates; people sign in with passwords or OIDC. */
  'CA_SUBJECT_UNSUPPORTED',
  /** No certificate with that serial was issued by this CA (or it belongs to another organisation). */
  'CA_CERT_NOT_FOUND',
  'CA_CERT_ALREADY_REVOKED',
  /** `renews` names a certificate of another subject, or one already revoked or expired. */
  'CA_RENEWAL_INVALID',
  /** A client certificate presented at connect time is revoked. */
  'CA_CERT_REVOKED',
  /** A client certificate presented at connect time is outside its validity period. */
  'CA_CERT_EXPIRED',
  /** A client certificate this CA never issued, or one whose identity it cannot read. */
  'CA_CERT_UNKNOWN',
  /** The CA's key store could not be opened (wrong passphrase file, TPM unreachable). */
  'CA_KEYSTORE_UNAVAILABLE',
] as const;

export type CaErrorCode = (typeof CA_ERROR_CODES)[number];
