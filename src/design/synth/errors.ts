import { MsecError } from '../../core/errors.ts';

/** Where in a source file something is; every FSP error carries one when it can. */
export interface SourcePos {
  line: number;
  col: number;
}

/**
 * An FSP error with a stable `DESIGN_FSP_*` code; the message starts with `file:line:col`
 * so the CLI's one-line error already points at the spot.
 */
export function fspError(code: string, message: string, pos?: SourcePos, file?: string): MsecError {
  const where = pos ? `${file ?? 'input'}:${pos.line}:${pos.col}: ` : file ? `${file}: ` : '';
  return new MsecError(`DESIGN_FSP_${code}`, `${where}${message}`, { details: { ...(pos ?? {}), ...(file ? { file } : {}) } });
}

/** A synthesis or translation error (not about FSP syntax). */
export function synthError(code: string, message: string, details?: Record<string, unknown>): MsecError {
  return new MsecError(`DESIGN_SYNTH_${code}`, message, details ? { details } : {});
}
