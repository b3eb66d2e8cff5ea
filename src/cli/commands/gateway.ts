import type { Command } from 'commander';
import { registerIdsCommands } from '../../gateway/ids/cli.ts';
import { registerAgentCommands } from '../../gateway/agent/cli.ts';
import { registerStealthCommands } from '../../gateway/stealth/cli.ts';
import type { CliIo } from '../io.ts';

export function registerGatewayCommands(program: Command, io: CliIo): void {
  const gateway = program
    .command('gateway')
    .description(
      'IoT gateway: Suricata IDS/IPS configuration and ruleset, log agent, stealth hardening, knocks, audit',
    );
  registerIdsCommands(gateway, io);
  registerAgentCommands(gateway, io);
  registerStealthCommands(gateway, io);
}
