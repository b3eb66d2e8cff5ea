import type { Command } from 'commander';
import { registerAgentCommands } from '../../gateway/agent/cli.ts';
import { registerStealthCommands } from '../../gateway/stealth/cli.ts';
import type { CliIo } from '../io.ts';

export function registerGatewayCommands(program: Command, io: CliIo): void {
  const gateway = program.command('gateway').description('IoT gateway: log agent, stealth hardening, knocks, audit');
  registerAgentCommands(gateway, io);
  registerStealthCommands(gateway, io);
}
