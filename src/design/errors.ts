import type { FspErrorKind, SynthErrorKind } from './synth/errors.ts';

/** Stable error codes the design tools raise (their HTTP status, should one be served, is mapped in server/http-status.ts). */
export const DESIGN_ERROR_CODES = [
  'DESIGN_KB_NOT_FOUND',
  'DESIGN_MODEL_INVALID',
  'DESIGN_MODEL_TOO_LARGE',
  'DESIGN_MODEL_UNREADABLE',
  'DESIGN_RISK_GATE',
] as const;

/** The design tools' codes: their own, and the FSP and synthesis kinds with their prefixes. */
export type DesignErrorCode =
  (typeof DESIGN_ERROR_CODES)[number] | `DESIGN_FSP_${FspErrorKind}` | `DESIGN_SYNTH_${SynthErrorKind}`;

/** Stable codes of the problems a threat model can have (reported with file, line and column; not thrown). */
export const DESIGN_DIAGNOSTIC_CODES = [
  'DESIGN_YAML_SYNTAX',
  'DESIGN_MODEL_EMPTY',
  'DESIGN_MODEL_TOO_LARGE',
  'DESIGN_SCHEMA_REQUIRED',
  'DESIGN_SCHEMA_UNKNOWN_PROPERTY',
  'DESIGN_SCHEMA_ENUM',
  'DESIGN_SCHEMA_TYPE',
  'DESIGN_SCHEMA_PATTERN',
  'DESIGN_SCHEMA_EXTERNAL_MODULE',
  'DESIGN_SCHEMA_INVALID',
  'DESIGN_DUPLICATE_ID',
  'DESIGN_BOUNDARY_UNKNOWN_MEMBER',
  'DESIGN_BOUNDARY_OVERLAP',
  'DESIGN_ASSET_UNKNOWN_STORE',
  'DESIGN_FLOW_UNKNOWN_ENDPOINT',
  'DESIGN_FLOW_UNKNOWN_ASSET',
  'DESIGN_FLOW_SELF',
  'DESIGN_FLOW_NEEDS_PROCESS',
  'DESIGN_USECASE_UNKNOWN_ACTOR',
  'DESIGN_USECASE_UNKNOWN_COMPONENT',
  'DESIGN_MISUSE_UNKNOWN_MISUSER',
  'DESIGN_MISUSE_UNKNOWN_TARGET',
  'DESIGN_MISUSE_UNKNOWN_CONTROL',
  'DESIGN_UNKNOWN_KB_ENTRY',
  'DESIGN_REQUIREMENT_UNKNOWN_ELEMENT',
  'DESIGN_REQUIREMENT_UNKNOWN_CONTROL',
  'DESIGN_CONTROL_UNKNOWN_COMPONENT',
  'DESIGN_CONTROL_UNKNOWN_ELEMENT',
  'DESIGN_CONTROL_UNKNOWN_COUNTERMEASURE',
] as const;

export type DesignDiagnosticCode = (typeof DESIGN_DIAGNOSTIC_CODES)[number];
