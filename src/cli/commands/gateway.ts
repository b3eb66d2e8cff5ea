import type { Command } from 'commander';
import { registerIdsCommands } from '../../gateway/ids/cli.ts';
import type { CliIo } from '../io.ts';

export function registerGatewayCommands(program: Command, io: CliIo): void {
  const gateway = program.command('gateway').description('IoT gateway: Suricata IDS/IPS configuration and the msec IoT ruleset');
  registerIdsCommands(gateway, io);
}
