import type { PlatformModule } from '../core/index.ts';
import { LEDGER_LOG } from '../ledger/index.ts';
import { AuditHeads } from './audit-heads.ts';
import { AuditRetentionJob } from './audit-retention.ts';
import { auditSettingsFromEnv, type AuditRetention } from './audit-settings.ts';

/**
 * Accounting made tamper-evident: periodically logs the audit trail's chained head in the
 * transparency log, and bounds the trail by retention (only rows a logged head covers may go).
 * Runs wherever the ledger runs.
 */
export function auditHeadsModule(
  opts: { intervalMs?: number; retention?: AuditRetention; retentionIntervalMs?: number } = {},
): PlatformModule & { heads(): AuditHeads; retention(): AuditRetentionJob } {
  let heads: AuditHeads | undefined;
  let retention: AuditRetentionJob | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'iam-audit-heads',
    needs: [LEDGER_LOG],
    async start(ctx) {
      heads = new AuditHeads({
        log: ctx.services.get(LEDGER_LOG),
        store: ctx.store,
        logger: ctx.logger,
        intervalMs: opts.intervalMs ?? 60_000,
        now: () => ctx.clock.now(),
      });
      heads.start();
      const job = new AuditRetentionJob(ctx.store, {
        retention: opts.retention ?? auditSettingsFromEnv().retention,
        now: () => ctx.clock.now(),
        logger: ctx.logger,
      });
      retention = job;
      timer = setInterval(
        () => void job.run().catch((err: unknown) => ctx.logger.warn({ err }, 'audit retention failed')),
        opts.retentionIntervalMs ?? 3_600_000,
      ).unref();
    },
    async stop() {
      clearInterval(timer);
      await heads?.stop();
    },
    heads() {
      if (!heads) throw new Error('the audit-heads module has not started');
      return heads;
    },
    retention() {
      if (!retention) throw new Error('the audit-heads module has not started');
      return retention;
    },
  };
}
