import { MsecError } from '../../core/errors.ts';

/**
 * Stable error codes of the COSE layer. Callers map them to responses; a message never says
 * which step of verification failed beyond the code (no oracle beyond what the code gives).
 */
export type CoseErrorCode =
  | 'COSE_MALFORMED'
  | 'COSE_TOO_LARGE'
  | 'COSE_UNSUPPORTED_ALG'
  | 'COSE_BAD_SIGNATURE'
  | 'COSE_UNKNOWN_KID'
  | 'COSE_BAD_KEY'
  | 'COSE_DECRYPT_FAILED';

export function coseError(code: CoseErrorCode, message: string, details?: Record<string, unknown>): MsecError {
  // No HTTP status here: the server maps codes to statuses (server/http-status.ts).
  return new MsecError(code, message, details ? { details } : {});
}
