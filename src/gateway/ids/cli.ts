/** `msec gateway ids-config` (and the ruleset listing): registered into the `gateway` command group. */
import { CommanderError, InvalidArgumentError, type Command } from 'commander';
import { isMsecError } from '../../core/errors.ts';
import type { CliIo } from '../../core/index.ts';
import { generateIdsConfig } from './generate.ts';
import { IOT_RULES, ruleAction, type IdsMode } from './rules/index.ts';

/** Codes that mean the owner typed something wrong: exit 2, like a bad flag. */
const USAGE_CODES = new Set([
  'GATEWAY_HOME_NET_INVALID',
  'GATEWAY_INTERFACE_UNKNOWN',
  'GATEWAY_MODE_INVALID',
  'GATEWAY_NFQUEUE_INVALID',
  'GATEWAY_EXTRA_RULES_INVALID',
]);

function parseMode(value: string): IdsMode {
  if (value !== 'ids' && value !== 'ips') throw new InvalidArgumentError('must be ids or ips');
  return value;
}

function parseQueue(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('must be a queue number 0-65535');
  return Number(value);
}

interface IdsConfigOptions {
  out: string;
  mode: IdsMode;
  homeNet?: string[];
  interface?: string;
  extraRules?: string;
  sensorName?: string;
  logDir?: string;
  queue?: number;
  verify: boolean;
  json?: boolean;
}

export function registerIdsCommands(gateway: Command, io: CliIo): void {
  gateway
    .command('ids-config')
    .description('write a Suricata 7 suricata.yaml and the msec IoT ruleset (msec-iot.rules), checked with suricata -T')
    .requiredOption('--out <dir>', 'folder to write suricata.yaml, msec-iot.rules and helpers into')
    .option(
      '--mode <mode>',
      'ids (alert only) or ips (inline via NFQUEUE, blocking rules drop)',
      parseMode,
      'ids' as IdsMode,
    )
    .option('--home-net <cidr...>', 'the networks of the devices this gateway protects (default RFC 1918 + fc00::/7)')
    .option('--interface <name>', 'capture interface (e.g. ppp0, eth1); must exist')
    .option('--extra-rules <dir>', 'also load every *.rules file of this folder (ET Open, your own)')
    .option('--sensor-name <name>', 'the "host" field of every EVE record (default: this host name)')
    .option('--log-dir <dir>', 'where Suricata writes eve.json (default /var/log/suricata)')
    .option('--queue <n>', 'IPS mode: the NFQUEUE number (default 0)', parseQueue)
    .option('--no-verify', 'do not look for Suricata nor run suricata -T (writing for another machine)')
    .option('--json', 'print the result as JSON')
    .action(async (o: IdsConfigOptions) => {
      try {
        const r = await generateIdsConfig({
          outDir: o.out,
          mode: o.mode,
          homeNet: o.homeNet,
          interface: o.interface,
          extraRulesDir: o.extraRules,
          sensorName: o.sensorName,
          logDir: o.logDir,
          nfqueue: o.queue,
          verify: o.verify,
        });
        if (o.json) return io.out(JSON.stringify(r, null, 2));
        for (const f of r.files) io.out(`wrote ${f}`);
        io.out(
          `${r.rules} msec rules (${r.mode.toUpperCase()} mode${r.mode === 'ips' ? `, ${r.dropRules} drop` : ''}), HOME_NET ${r.homeNet.join(',')}`,
        );
        io.out(
          r.suricata
            ? `suricata ${r.suricata.version} -T: configuration loaded (${r.suricata.testMs} ms)`
            : 'not verified (--no-verify)',
        );
        const run =
          r.mode === 'ips'
            ? `nft -f ${r.files.find((f) => f.endsWith('.nft'))} && suricata -c ${r.configPath} -q ${o.queue ?? 0}`
            : `suricata -c ${r.configPath} -i ${o.interface ?? '<interface>'}`;
        io.out(`run: ${run}`);
      } catch (err) {
        if (isMsecError(err) && USAGE_CODES.has(err.code)) {
          io.err(`error: ${err.message}`);
          throw new CommanderError(2, err.code, err.message);
        }
        throw err;
      }
    });

  gateway
    .command('ids-rules')
    .description('list the msec IoT ruleset: sid, family, MITRE techniques, action')
    .option('--mode <mode>', 'ids or ips (shows which rules drop)', parseMode, 'ids' as IdsMode)
    .option('--json', 'print the rules as JSON')
    .action((o: { mode: IdsMode; json?: boolean }) => {
      if (o.json)
        return io.out(
          JSON.stringify(
            IOT_RULES.map((r) => ({
              sid: r.sid,
              name: r.name,
              family: r.family,
              action: ruleAction(r, o.mode),
              mitre: r.mitre,
              msg: r.msg,
            })),
            null,
            2,
          ),
        );
      for (const r of IOT_RULES)
        io.out(
          `${r.sid}  ${ruleAction(r, o.mode).padEnd(5)}  ${r.family.padEnd(10)}  ${r.mitre.join(',').padEnd(20)}  ${r.msg}`,
        );
    });
}
