import type { Command } from 'commander';
import type { CliIo } from '../../cli/io.ts';

export function registerStealthCommands(_gateway: Command, _io: CliIo): void {}
