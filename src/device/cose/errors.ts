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

const STATUS: Record<CoseErrorCode, number> = {
  COSE_MALFORMED: 400,
  COSE_TOO_LARGE: 413,
  COSE_UNSUPPORTED_ALG: 400,
  COSE_BAD_SIGNATURE: 401,
  COSE_UNKNOWN_KID: 401,
  COSE_BAD_KEY: 400,
  COSE_DECRYPT_FAILED: 400,
};

export function coseError(code: CoseErrorCode, message: string, details?: Record<string, unknown>): MsecError {
  return new MsecError(code, message, { status: STATUS[code], ...(details ? { details } : {}) });
}
