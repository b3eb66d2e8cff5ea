import { MsecError } from '../../core/index.ts';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'TIMEOUT',
  'SERVER_ERROR',
  'NETWORK_ERROR',
]);

/**
 * Maps whatever the RPC path threw to a stable code: the chain could not be reached
 * (ANCHOR_UNREACHABLE, retried), the contract refused (ANCHOR_REJECTED), or the endpoint
 * answered something that is not a valid JSON-RPC result (ANCHOR_BAD_RESPONSE).
 */
export function toAnchorError(err: unknown, what: string): MsecError {
  if (err instanceof MsecError) return err;
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown; shortMessage?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const causeCode = typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
  const message =
    typeof e?.shortMessage === 'string' ? e.shortMessage : typeof e?.message === 'string' ? e.message : String(err);
  if (
    (code && UNREACHABLE_CODES.has(code)) ||
    (causeCode && UNREACHABLE_CODES.has(causeCode)) ||
    /fetch failed|ECONNREFUSED|socket hang up/i.test(message)
  ) {
    return new MsecError('ANCHOR_UNREACHABLE', `${what}: EVM endpoint unreachable (${message})`, {
      status: 503,
      cause: err,
    });
  }
  if (
    code === 'CALL_EXCEPTION' ||
    code === 'NONCE_EXPIRED' ||
    code === 'INSUFFICIENT_FUNDS' ||
    code === 'REPLACEMENT_UNDERPRICED'
  )
    return new MsecError('ANCHOR_REJECTED', `${what}: the contract refused (${message})`, { status: 502, cause: err });
  return new MsecError('ANCHOR_BAD_RESPONSE', `${what}: invalid answer from the EVM endpoint (${message})`, {
    status: 502,
    cause: err,
  });
}

export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
}

/** Retries only what may heal (unreachable endpoint), with exponential backoff. */
export async function withRetry<T>(what: string, opts: RetryOptions, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const mapped = toAnchorError(err, what);
      if (mapped.code !== 'ANCHOR_UNREACHABLE' || attempt >= opts.retries) throw mapped;
      await new Promise((r) => setTimeout(r, opts.baseDelayMs * 2 ** attempt));
    }
  }
}
