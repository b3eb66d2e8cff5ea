/**
 * Typed errors with stable codes. Every error that crosses a trust boundary is an MsecError,
 * so callers (HTTP, MQTT, CLI) can map it to a status and a machine-readable code without
 * leaking stack traces.
 */
export const ErrorCodes = {
  // request shape
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  MALFORMED_INPUT: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  // authentication
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  ACCOUNT_LOCKED: 423,
  LOGIN_THROTTLED: 429,
  ACCOUNT_DISABLED: 403,
  // authorization
  FORBIDDEN: 403,
  // configuration and platform
  CONFIG_INVALID: 500,
  STORAGE_ERROR: 500,
  UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  INTERNAL: 500,
  // the platform contract (a module wiring that cannot start)
  PLATFORM_SERVICE_MISSING: 500,
  PLATFORM_SERVICE_DUPLICATE: 500,
  PLATFORM_SERVICE_CYCLE: 500,
  PLATFORM_SERVICE_UNDECLARED: 500,
} as const;

export type BuiltinErrorCode = keyof typeof ErrorCodes;

export interface MsecErrorOptions {
  status?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class MsecError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: BuiltinErrorCode | (string & {}), message: string, options: MsecErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MsecError';
    this.code = code;
    this.status = options.status ?? (ErrorCodes as Record<string, number>)[code] ?? 400;
    this.details = options.details;
  }

  toJSON(): { error: { code: string; message: string; details?: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function isMsecError(err: unknown): err is MsecError {
  return err instanceof MsecError;
}

/** Narrow an unknown thrown value to a message without trusting its shape. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
