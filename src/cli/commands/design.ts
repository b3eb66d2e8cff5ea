import type { Command } from 'commander';
import { registerThreatsCommands } from '../../design/threats/cli.ts';
import type { CliIo } from '../io.ts';

/** `msec design …`: design-time security tools. */
export function registerDesignCommands(program: Command, io: CliIo): void {
  const design = program.command('design').description('design-time security: threat modelling and the security knowledge base');
  registerThreatsCommands(design, io);
}
