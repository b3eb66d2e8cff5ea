import { Command, CommanderError } from 'commander';
import { isMsecError } from '../core/errors.ts';
import { MSEC_VERSION } from '../server/version.ts';
import { EXIT_USAGE, processIo, type CliIo } from './io.ts';

type Register = (program: Command, io: CliIo) => void;

/**
 * Command groups, each loaded only when its command is run (or for help and unknown commands):
 * through tsx every module costs load time, and a device never needs the ledger's EVM client.
 */
const COMMAND_GROUPS: Record<string, () => Promise<Register>> = {
  up: async () => (await import('./commands/up.ts')).registerUpCommand,
  admin: async () => (await import('./commands/admin.ts')).registerAdminCommands,
  audit: async () => (await import('./commands/audit.ts')).registerAuditCommands,
  ledger: async () => (await import('./commands/ledger.ts')).registerLedgerCommands,
  vault: async () => (await import('./commands/vault.ts')).registerVaultCommands,
  device: async () => (await import('./commands/device.ts')).registerDeviceCommands,
  anonymize: async () => (await import('./commands/anonymize.ts')).registerAnonymizeCommand,
  design: async () => (await import('./commands/design.ts')).registerDesignCommands,
  market: async () => (await import('./commands/market.ts')).registerMarketCommands,
  gateway: async () => (await import('./commands/gateway.ts')).registerGatewayCommands,
  monitor: async () => (await import('./commands/monitor.ts')).registerMonitorCommands,
  policy: async () => (await import('./commands/policy.ts')).registerPolicyCommands,
};

/** Error codes that mean the user asked for something malformed: exit 2 like a bad flag. */
const USAGE_CODES = new Set(['CONFIG_INVALID', 'VALIDATION_FAILED', 'IAM_AUDIT_REPORT_INVALID']);

/** The program with the command groups `argv` needs: its first word's group, or all of them. */
export async function buildProgram(io: CliIo = processIo, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('msec')
    .description('msec: security platform for smart-city IoT')
    .version(MSEC_VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program
    .command('version')
    .description('print the version')
    .action(() => io.out(MSEC_VERSION));
  const first = argv[0];
  const versionOnly = first === 'version' || first === '-V' || first === '--version';
  const groups =
    first !== undefined && first in COMMAND_GROUPS ? [first] : versionOnly ? [] : Object.keys(COMMAND_GROUPS);
  for (const register of await Promise.all(groups.map((g) => COMMAND_GROUPS[g]!()))) register(program, io);
  // Every command (and subcommand) reports usage errors by throwing instead of exiting.
  const applyOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(applyOverride);
  };
  applyOverride(program);
  return program;
}

/** Runs the CLI and returns the exit status: 0 ok, 1 failure, 2 usage error. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = await buildProgram(io, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return 0;
      if (err.code === 'commander.executeSubCommandAsync') return err.exitCode;
      // commander has already printed its one-line message.
      return EXIT_USAGE;
    }
    if (isMsecError(err)) {
      io.err(`error: ${err.message}`);
      return USAGE_CODES.has(err.code) ? EXIT_USAGE : 1;
    }
    io.err(`error: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}
