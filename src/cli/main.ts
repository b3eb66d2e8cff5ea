import { Command, CommanderError } from 'commander';
import { isMsecError } from '../core/index.ts';
import { MSEC_VERSION } from '../server/version.ts';
import { registerAdminCommands } from './commands/admin.ts';
import { registerUpCommand } from './commands/up.ts';
import { registerLedgerCommands } from './commands/ledger.ts';
import { registerVaultCommands } from './commands/vault.ts';
import { registerDeviceCommands } from './commands/device.ts';
import { EXIT_USAGE, processIo, type CliIo } from './io.ts';

/** Error codes that mean the user asked for something malformed: exit 2 like a bad flag. */
const USAGE_CODES = new Set(['CONFIG_INVALID', 'VALIDATION_FAILED']);

export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('msec')
    .description('msec: security platform for smart-city IoT')
    .version(MSEC_VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program.command('version').description('print the version').action(() => io.out(MSEC_VERSION));
  registerUpCommand(program, io);
  registerAdminCommands(program, io);
  registerLedgerCommands(program, io);
  registerVaultCommands(program, io);
  registerDeviceCommands(program, io);
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
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
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
