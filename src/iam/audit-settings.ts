import { MsecError } from '../core/index.ts';
import { AGGREGATE_INTERVAL_MS } from './audit-aggregate.ts';

/** How much audit history is kept; rows not yet covered by a ledger-logged head are kept regardless. */
export interface AuditRetention {
  /** Rows older than this may go (default 365 days). */
  maxAgeMs: number;
  /** At most about this many rows are kept (default 5,000,000). */
  maxRows: number;
}

export const DEFAULT_AUDIT_RETENTION: AuditRetention = { maxAgeMs: 365 * 86_400_000, maxRows: 5_000_000 };

/**
 * Audit settings from the environment: MSEC_AUDIT_RETENTION_DAYS, MSEC_AUDIT_MAX_ROWS,
 * MSEC_AUDIT_REFUSAL_WINDOW_SECONDS (how long anonymous refusals are summed into one row;
 * default 60, or 5 with `--demo` so its attacks show within seconds).
 */
export function auditSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  opts: { demo?: boolean } = {},
): { retention: AuditRetention; refusalWindowMs: number } {
  const num = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < min)
      throw new MsecError('CONFIG_INVALID', `${name}: expected a number of at least ${min}, got "${raw}"`);
    return Number(raw);
  };
  return {
    retention: {
      maxAgeMs: num('MSEC_AUDIT_RETENTION_DAYS', DEFAULT_AUDIT_RETENTION.maxAgeMs / 86_400_000, 1) * 86_400_000,
      maxRows: Math.floor(num('MSEC_AUDIT_MAX_ROWS', DEFAULT_AUDIT_RETENTION.maxRows, 1000)),
    },
    refusalWindowMs:
      num('MSEC_AUDIT_REFUSAL_WINDOW_SECONDS', (opts.demo ? 5000 : AGGREGATE_INTERVAL_MS) / 1000, 1) * 1000,
  };
}
