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
/** The kinds of FSP error; each is raised as `DESIGN_FSP_<kind>`. */
export const FSP_ERROR_KINDS = [
  'ARITY',
  'CYCLE',
  'EVAL',
  'NO_CONTROLLER',
  'NO_PROGRESS',
  'STATE_LIMIT',
  'SYNTAX',
  'UNDEFINED',
  'UNSUPPORTED',
] as const;
export type FspErrorKind = (typeof FSP_ERROR_KINDS)[number];
/** The kinds of synthesis and translation error; each is raised as `DESIGN_SYNTH_<kind>`. */
export const SYNTH_ERROR_KINDS = [
  'FLOW_INVALID',
  'MAP_INVALID',
  'MAP_MISSING',
  'MAP_UNKNOWN_ACTION',
  'MAP_UNKNOWN_TYPE',
  'NOT_A_CONTROLLER',
] as const;
export type SynthErrorKind = (typeof SYNTH_ERROR_KINDS)[number];

export function fspError(code: FspErrorKind, message: string, pos?: SourcePos, file?: string): MsecError {
  const where = pos ? `${file ?? 'input'}:${pos.line}:${pos.col}: ` : file ? `${file}: ` : '';
  return new MsecError(`DESIGN_FSP_${code}`, `${where}${message}`, {
    details: { ...(pos ?? {}), ...(file ? { file } : {}) },
  });
}

/** A synthesis or translation error (not about FSP syntax). */
export function synthError(code: SynthErrorKind, message: string, details?: Record<string, unknown>): MsecError {
  return new MsecError(`DESIGN_SYNTH_${code}`, message, details ? { details } : {});
}
