import { createSocket } from 'node:dgram';
import { appendFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import type { CliIo } from '../../core/index.ts';
import { DEFAULT_KNOCK_PORT } from './ruleset.ts';

const collect = (v: string, acc: string[]) => [...acc, v];

function port(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535)
    throw new InvalidArgumentError('must be a port 1-65535');
  return Number(v);
}

function seconds(max: number) {
  return (v: string) => {
    if (!/^\d{1,7}$/.test(v) || Number(v) < 1 || Number(v) > max)
      throw new InvalidArgumentError(`must be 1-${max} seconds`);
    return Number(v);
  };
}

const collectPort = (v: string, acc: number[]) => [...acc, port(v)];

export function registerStealthCommands(gateway: Command, io: CliIo): void {
  gateway
    .command('harden')
    .description('write the stealth nftables ruleset (silent drops, hub-only egress, management port behind knocks)')
    .requiredOption('--out <dir>', 'where to write msec-stealth.nft')
    .requiredOption('--hub <url>', 'the hub / monitor URL this gateway talks to')
    .option('--mgmt-port <port>', 'management (SSH) port opened by knocks', port, 22)
    .option('--knock-port <port>', 'UDP port knockd listens on', port, DEFAULT_KNOCK_PORT)
    .option('--uplink <iface>', 'harden only this interface (the WAN / cellular uplink)')
    .option('--dns <ip>', 'resolver the gateway may query (repeatable; default: /etc/resolv.conf)', collect, [])
    .option('--allow-out <addr:port>', 'another outbound TCP destination (repeatable)', collect, [])
    .action(
      async (f: {
        out: string;
        hub: string;
        mgmtPort: number;
        knockPort: number;
        uplink?: string;
        dns: string[];
        allowOut: string[];
      }) => {
        const { writeHardening } = await import('./harden.ts');
        const { MSEC_VERSION } = await import('../../core/version.ts');
        const r = await writeHardening({
          outDir: resolve(f.out),
          hub: f.hub,
          mgmtPort: f.mgmtPort,
          knockPort: f.knockPort,
          uplink: f.uplink,
          dns: f.dns.length ? f.dns : undefined,
          allowOut: f.allowOut,
          version: MSEC_VERSION,
        });
        io.out(`wrote ${r.path}; load it with: nft -f ${r.path}`);
      },
    );

  gateway
    .command('knockd')
    .description('single-packet-authorisation daemon: admits a knocking source to the management port for a while')
    .requiredOption('--key-file <file>', 'operator keys, one "<key-id> <base64 key>" per line')
    .option('--listen <address>', 'address to listen on', '0.0.0.0')
    .option('--port <port>', 'UDP port', port, DEFAULT_KNOCK_PORT)
    .option('--open-seconds <s>', 'how long an admitted source may open new connections', seconds(86_400), 30)
    .option('--window-seconds <s>', 'allowed clock difference of a knock', seconds(3600), 30)
    .option('--allow-port <port>', 'port a knock may request (repeatable; default 22)', collectPort, [])
    .option('--audit-file <file>', 'also append each audit record here')
    .option('--nft <path>', 'nft binary', 'nft')
    .action(
      async (f: {
        keyFile: string;
        listen: string;
        port: number;
        openSeconds: number;
        windowSeconds: number;
        allowPort: number[];
        auditFile?: string;
        nft: string;
      }) => {
        if (!isIP(f.listen))
          throw new MsecError('VALIDATION_FAILED', `--listen must be an IP address (got ${f.listen})`);
        const { readKnockKeys } = await import('./keys.ts');
        const { startKnockd } = await import('./knockd.ts');
        const keys = readKnockKeys(f.keyFile);
        const audit = (rec: Record<string, unknown>) => {
          const line = JSON.stringify(rec);
          io.out(line);
          if (f.auditFile) appendFileSync(f.auditFile, line + '\n');
        };
        const allowed = f.allowPort.length ? f.allowPort : [22];
        const d = await startKnockd({
          keys,
          listen: f.listen,
          port: f.port,
          openSeconds: f.openSeconds,
          windowSeconds: f.windowSeconds,
          allowedPorts: allowed,
          nft: f.nft,
          audit,
        });
        audit({
          time: new Date().toISOString(),
          event: 'knockd_started',
          listen: f.listen,
          port: d.port,
          keys: [...keys.keys()],
          allowedPorts: allowed,
        });
        await new Promise<void>((done) => {
          const stop = () => void d.stop().then(done);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );

  gateway
    .command('knock')
    .description('send one knock to a gateway so it opens its management port to this address')
    .argument('<host>', 'gateway address or name')
    .requiredOption('--key-file <file>', 'key file holding your key')
    .option('--key-id <id>', 'your key id (default: the only key in the file)')
    .option('--port <port>', 'port to open', port, 22)
    .option('--knock-port <port>', 'UDP port of knockd', port, DEFAULT_KNOCK_PORT)
    .action(async (host: string, f: { keyFile: string; keyId?: string; port: number; knockPort: number }) => {
      const { readKnockKeys } = await import('./keys.ts');
      const { newKnock } = await import('./knock-packet.ts');
      const keys = readKnockKeys(f.keyFile);
      const keyId = f.keyId ?? (keys.size === 1 ? [...keys.keys()][0]! : undefined);
      if (!keyId) throw new MsecError('VALIDATION_FAILED', 'the key file holds several keys: give --key-id');
      const key = keys.get(keyId);
      if (!key) throw new MsecError('VALIDATION_FAILED', `no key ${keyId} in ${f.keyFile}`);
      let address = host;
      if (!isIP(host)) {
        try {
          address = (await lookup(host)).address;
        } catch (err) {
          throw new MsecError('GATEWAY_KNOCK_HOST_UNRESOLVABLE', `cannot resolve ${host}: ${(err as Error).message}`);
        }
      }
      const packet = newKnock(keyId, f.port, key);
      const sock = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
      await new Promise<void>((done, fail) =>
        sock.send(packet, f.knockPort, address, (err) =>
          err ? fail(new MsecError('GATEWAY_KNOCK_SEND_FAILED', err.message)) : done(),
        ),
      );
      sock.close();
      io.out(`knock sent to ${address}:${f.knockPort} for port ${f.port} (key ${keyId})`);
    });

  gateway
    .command('knock-key')
    .description('print a new operator key line for the knock key files (gateway and operator)')
    .requiredOption('--id <key-id>', 'operator key id (1-16 of A-Za-z0-9._-)')
    .action(async (f: { id: string }) => {
      const { newKnockKeyLine } = await import('./keys.ts');
      io.out(newKnockKeyLine(f.id));
    });

  gateway
    .command('audit')
    .description('gateway health report: sockets, passwords, sshd, Suricata, agent, nftables')
    .option('--json', 'print the report as JSON')
    .option('--eve <path>', 'Suricata eve.json', '/var/log/suricata/eve.json')
    .option('--agent-state <dir>', 'agent state directory', '/var/lib/msec/agent')
    .option('--shadow <file>', 'shadow password file', '/etc/shadow')
    .option('--sshd-config <file>', 'sshd configuration', '/etc/ssh/sshd_config')
    .option('--mgmt-port <port>', 'expected listening management port', port, 22)
    .option('--knock-port <port>', 'expected knock port', port, DEFAULT_KNOCK_PORT)
    .option('--fresh-seconds <s>', 'how recent eve.json and agent deliveries must be', seconds(86_400), 300)
    .action(
      async (f: {
        json?: boolean;
        eve: string;
        agentState: string;
        shadow: string;
        sshdConfig: string;
        mgmtPort: number;
        knockPort: number;
        freshSeconds: number;
      }) => {
        const { runAudit, formatAudit } = await import('./audit.ts');
        const r = runAudit({
          eve: f.eve,
          agentStateDir: f.agentState,
          shadow: f.shadow,
          sshdConfig: f.sshdConfig,
          procNet: '/proc/net',
          expectedPorts: [f.mgmtPort, f.knockPort],
          freshSeconds: f.freshSeconds,
        });
        if (f.json) io.out(JSON.stringify(r, null, 2));
        else formatAudit(r).forEach((l) => io.out(l));
        if (r.summary.fail > 0) throw new MsecError('GATEWAY_AUDIT_FAILED', `${r.summary.fail} check(s) failed`);
      },
    );
}
