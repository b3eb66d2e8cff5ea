import type { PlatformModule } from '../core/index.ts';
import { LEDGER_LOG } from '../ledger/index.ts';
import { AuditHeads } from './audit-heads.ts';

/**
 * Accounting made tamper-evident: periodically logs the audit trail's chained head in the
 * transparency log. Runs wherever the ledger runs.
 */
export function auditHeadsModule(opts: { intervalMs?: number } = {}): PlatformModule & { heads(): AuditHeads } {
  let heads: AuditHeads | undefined;
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
    },
    async stop() {
      await heads?.stop();
    },
    heads() {
      if (!heads) throw new Error('the audit-heads module has not started');
      return heads;
    },
  };
}
