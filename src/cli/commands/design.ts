import type { Command } from 'commander';
import { registerThreatsCommands } from '../../design/threats/cli.ts';
import { registerSynthCommands } from '../../design/index.ts';
import type { CliIo } from '../io.ts';

/** `msec design …`: design-time security tools (threat modelling, knowledge base, controller synthesis). */
export function registerDesignCommands(program: Command, io: CliIo): void {
  const design = program
    .command('design')
    .description('design-time security: threat modelling, the security knowledge base, controller synthesis');
  registerThreatsCommands(design, io);
  registerSynthCommands(design, io);
}
