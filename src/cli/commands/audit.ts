import type { Command } from 'commander';
import { loadOrCreatePlatformKey, migrate, openStore } from '../../core/index.ts';
import { iamMigrations, verifyAuditTrail } from '../../iam/index.ts';
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
}
