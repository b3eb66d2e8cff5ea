/** Stable error codes of the vault: encrypted records, grants and keys (the HTTP status of each is mapped in server/http-status.ts). */
export const VAULT_ERROR_CODES = [
  'VAULT_BAD_ENVELOPE',
  'VAULT_BAD_KEY_FILE',
  'VAULT_DECRYPT_FAILED',
  'VAULT_ERASED',
  'VAULT_GRANT_NOT_FOUND',
  'VAULT_KEY_LOCKED',
  'VAULT_KEY_NOT_FOUND',
  'VAULT_NOT_FOUND',
  'VAULT_NO_GRANT',
  'VAULT_NO_KEY',
  'VAULT_PROOF_INVALID',
  'VAULT_SERVER_BAD_RESPONSE',
] as const;

export type VaultErrorCode = (typeof VAULT_ERROR_CODES)[number];
