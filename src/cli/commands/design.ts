import type { Command } from 'commander';
import { registerSynthCommands } from '../../design/index.ts';
import type { CliIo } from '../io.ts';

/** `msec design …`: design-time security tools (controller synthesis; threat modelling). */
export function registerDesignCommands(program: Command, io: CliIo): void {
  const design = program.command('design').description('design-time security tools');
  registerSynthCommands(design, io);
}
