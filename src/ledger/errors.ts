/** Stable error codes of the ledger: the transparency log, proofs, checkpoints and anchoring (the HTTP status of each is mapped in server/http-status.ts). */
export const LEDGER_ERROR_CODES = [
  'ANCHOR_BAD_RESPONSE',
  'ANCHOR_MISMATCH',
  'ANCHOR_NOT_FOUND',
  'ANCHOR_REJECTED',
  'ANCHOR_UNREACHABLE',
  'CHECKPOINT_BAD_SIGNATURE',
  'CHECKPOINT_MALFORMED',
  'LEDGER_INDEX_OUT_OF_RANGE',
  'LEDGER_PROOF_INVALID',
  'LEDGER_SIZE_INVALID',
] as const;

export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];
