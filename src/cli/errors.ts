/** Stable error codes of the msec command itself (it answers with exit codes, not HTTP statuses). */
export const CLI_ERROR_CODES = ['ATTESTATION_FAILED', 'LEDGER_VERIFY_FAILED'] as const;

export type CliErrorCode = (typeof CLI_ERROR_CODES)[number];
