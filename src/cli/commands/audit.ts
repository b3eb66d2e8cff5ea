import type { Command } from 'commander';
import { loadOrCreatePlatformKey, migrate, openStore } from '../../core/index.ts';
import { MsecError, systemClock } from '../../core/index.ts';
import { iamMigrations, UsageAccounting, usageReportCsv, verifyAuditTrail } from '../../iam/index.ts';
import { ledgerMigrations, TransparencyLog } from '../../ledger/index.ts';
import type { CliIo } from '../io.ts';
import { configFromOptions, withDataOptions, type DataOptionValues } from '../options.ts';

export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('accounting: prove the audit trail untouched');

  withDataOptions(
    audit
      .command('verify')
      .description('check the audit hash chain and the ledger proofs of its logged heads; names the first altered row')
      .option('--json', 'print the report as JSON'),
  ).action(async (o: DataOptionValues & { json?: boolean }) => {
    const config = await configFromOptions(o);
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      await migrate(store, [...iamMigrations, ...ledgerMigrations]);
      const { key } = loadOrCreatePlatformKey(config.dataDir);
      const log = await TransparencyLog.open({ store, key });
      const r = await verifyAuditTrail({ store, log, ledgerKey: key.publicKey });
      if (o.json) io.out(JSON.stringify(r));
      else if (r.ok)
        io.out(
          `audit trail verified: ${r.rowsChecked} rows under ${r.headsChecked} logged heads, ledger checkpoint size ${r.checkpointSize}; ${r.unanchoredRows} newer rows not yet anchored`,
        );
      else
        io.err(
          `audit trail FAILED verification: ${r.failure!.auditId !== undefined ? `audit row ${r.failure!.auditId}` : 'a head'}` +
            `${r.failure!.entryIdx !== undefined ? ` (ledger entry ${r.failure!.entryIdx})` : ''}: ${r.failure!.reason}`,
        );
      if (!r.ok) process.exitCode = 1;
    } finally {
      await store.close();
    }
  });

  withDataOptions(
    audit
      .command('report')
      .description(
        'accounting report over whole hours: requests, denials, failures and bytes per principal or resource',
      )
      .requiredOption('--by <what>', 'principal | resource')
      .option('--from <time>', 'start: RFC 3339 time or epoch ms (default: 24 hours before --to)')
      .option('--to <time>', 'end, exclusive: RFC 3339 time or epoch ms (default: now)')
      .option('--org <id>', "only this organisation's requests")
      .option('--format <format>', 'json | csv', 'json'),
  ).action(async (o: DataOptionValues & { by: string; from?: string; to?: string; org?: string; format: string }) => {
    if (o.by !== 'principal' && o.by !== 'resource')
      throw new MsecError('IAM_AUDIT_REPORT_INVALID', `--by must be principal or resource, got "${o.by}"`);
    if (o.format !== 'json' && o.format !== 'csv')
      throw new MsecError('IAM_AUDIT_REPORT_INVALID', `--format must be json or csv, got "${o.format}"`);
    const to = o.to === undefined ? Date.now() : cliTime(o.to, '--to');
    const from = o.from === undefined ? to - 86_400_000 : cliTime(o.from, '--from');
    const config = await configFromOptions(o);
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      await migrate(store, iamMigrations);
      const report = await new UsageAccounting(store, systemClock).report({ by: o.by, from, to, orgId: o.org });
      io.out(o.format === 'csv' ? usageReportCsv(report).replace(/\n$/, '') : JSON.stringify(report, null, 2));
    } finally {
      await store.close();
    }
  });
}

/** RFC 3339 text or epoch milliseconds → ms. */
function cliTime(value: string, name: string): number {
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms))
    throw new MsecError(
      'IAM_AUDIT_REPORT_INVALID',
      `${name}: expected an RFC 3339 time or epoch milliseconds, got "${value}"`,
    );
  return ms;
}
