import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { MsecError } from '../../core/errors.ts';
import type { CliIo } from '../../core/index.ts';
import type { AgentInput } from './agent.ts';
import { LINE_TYPES, type LineType } from './lines.ts';
import { SENSOR_RE } from './records.ts';
import { SPOOL_FULL_POLICIES, type SpoolFullPolicy } from './spool.ts';

const collect = (v: string, acc: string[]) => [...acc, v];

function intIn(min: number, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!/^\d{1,12}$/.test(v) || n < min || n > max) throw new InvalidArgumentError(`must be an integer ${min}-${max}`);
    return n;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v))
      throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return v as T;
  };
}

function readSecretFile(path: string, what: string): Buffer {
  if (!existsSync(path)) throw new MsecError('VALIDATION_FAILED', `${what} file not found: ${path}`);
  return readFileSync(path);
}

interface AgentFlags {
  eve?: string;
  eveSocket?: string;
  file: string[];
  type: string[];
  to: string;
  tokenFile?: string;
  cert?: string;
  key?: string;
  ca?: string;
  stateDir: string;
  sensor?: string;
  org?: string;
  gzip?: boolean;
  batchEvents: number;
  batchBytes: number;
  lingerMs: number;
  pollMs: number;
  spoolMaxBytes: number;
  whenSpoolFull: SpoolFullPolicy;
  maxLineBytes: number;
  fromEnd?: boolean;
  metricsPort?: number;
  metricsHost: string;
}

export function registerAgentCommands(gateway: Command, io: CliIo): void {
  gateway
    .command('agent')
    .description('ship Suricata EVE and other line logs to the monitor, never losing or duplicating an event')
    .option('--eve <path>', 'Suricata eve.json to tail')
    .option('--eve-socket <path>', 'listen on this unix stream socket for Suricata EVE (filetype: unix_stream)')
    .option('--file <path>', 'another line log to ship (repeatable, paired in order with --type)', collect, [])
    .option('--type <type>', 'type of the matching --file: auth, syslog or json (repeatable)', collect, [])
    .requiredOption('--to <url>', 'monitor ingest URL, e.g. https://msec.example/api/v1/monitor/ingest')
    .option('--token-file <file>', 'file holding the API key or token (Bearer)')
    .option('--cert <file>', 'client certificate (PEM) for mutual TLS')
    .option('--key <file>', 'client key (PEM) for mutual TLS')
    .option('--ca <file>', 'CA certificate(s) (PEM) to verify the receiver')
    .option('--state-dir <dir>', 'registry, spool and status file', '/var/lib/msec/agent')
    .option('--sensor <name>', 'sensor name used in event ids (default: the host name)')
    .option('--org <org>', 'organisation sent with each batch')
    .option('--gzip', 'compress batches (content-encoding: gzip)')
    .option('--batch-events <n>', 'events per batch (at most 5000)', intIn(1, 5000), 2000)
    .option('--batch-bytes <n>', 'bytes per batch (at most 8 MiB)', intIn(64 * 1024, 8 * 1024 * 1024), 4 * 1024 * 1024)
    .option('--linger-ms <ms>', 'how long a small batch waits for more events', intIn(0, 60_000), 200)
    .option('--poll-ms <ms>', 'how often files are checked for new lines and rotation', intIn(10, 60_000), 250)
    .option('--spool-max-bytes <n>', 'bound of the on-disk spool', intIn(16 * 1024 * 1024, 2 ** 50), 256 * 1024 * 1024)
    .option(
      '--when-spool-full <policy>',
      'block (pause reading), keep-oldest (drop new) or keep-newest (drop old)',
      oneOf(SPOOL_FULL_POLICIES),
      'block' as SpoolFullPolicy,
    )
    .option('--max-line-bytes <n>', 'longer lines are counted and skipped', intIn(1024, 1024 * 1024), 1024 * 1024)
    .option('--from-end', 'start files seen for the first time at their end')
    .option('--metrics-port <port>', 'serve Prometheus metrics on this local port', intIn(0, 65535))
    .option('--metrics-host <host>', 'address for the metrics port', '127.0.0.1')
    .action(async (flags: AgentFlags) => {
      const { startAgent } = await import('./agent.ts');
      const { MSEC_VERSION } = await import('../../core/version.ts');
      const opts = agentOptionsFromFlags(flags);
      const log = (level: string, msg: string, details?: Record<string, unknown>) =>
        io.err(JSON.stringify({ time: new Date().toISOString(), level, msg, ...details }));
      const agent = await startAgent({ ...opts, version: MSEC_VERSION, log });
      log('info', 'agent started', {
        inputs: opts.inputs,
        to: opts.to.href,
        stateDir: opts.stateDir,
        metricsPort: agent.metricsPort,
      });
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void agent.stop().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      log('info', 'agent stopped', agent.status());
    });
}

/** Validates the flags into agent options (usage errors are VALIDATION_FAILED: exit 2). */
export function agentOptionsFromFlags(f: AgentFlags) {
  const inputs: AgentInput[] = [];
  if (f.eve) inputs.push({ kind: 'file', path: resolve(f.eve), type: 'eve' });
  if (f.eveSocket) inputs.push({ kind: 'socket', path: resolve(f.eveSocket) });
  if (f.file.length !== f.type.length)
    throw new MsecError('VALIDATION_FAILED', 'each --file needs a matching --type (auth, syslog or json)');
  f.file.forEach((path, i) => {
    const type = f.type[i]!;
    if (!LINE_TYPES.includes(type as LineType) || type === 'eve')
      throw new MsecError('VALIDATION_FAILED', `--type must be auth, syslog or json (got ${type})`);
    inputs.push({ kind: 'file', path: resolve(path), type: type as LineType });
  });
  if (inputs.length === 0)
    throw new MsecError('VALIDATION_FAILED', 'nothing to ship: give --eve, --eve-socket or --file');
  let to: URL;
  try {
    to = new URL(f.to);
  } catch {
    throw new MsecError('VALIDATION_FAILED', `--to is not a URL: ${f.to}`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:')
    throw new MsecError('VALIDATION_FAILED', '--to must be an http:// or https:// URL');
  const mtls = f.cert !== undefined || f.key !== undefined;
  if (!f.tokenFile && !mtls) throw new MsecError('VALIDATION_FAILED', 'give --token-file, or --cert and --key');
  if (mtls && !(f.cert && f.key)) throw new MsecError('VALIDATION_FAILED', '--cert and --key go together');
  if (mtls && to.protocol !== 'https:')
    throw new MsecError('VALIDATION_FAILED', 'a client certificate needs an https:// receiver');
  const token = f.tokenFile ? readSecretFile(f.tokenFile, 'token').toString('utf8').trim() : undefined;
  if (token !== undefined && !/^[\x21-\x7e]{1,4096}$/.test(token))
    throw new MsecError('VALIDATION_FAILED', `token file ${f.tokenFile} does not hold one token`);
  const sensor =
    f.sensor ??
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64);
  if (!SENSOR_RE.test(sensor)) throw new MsecError('VALIDATION_FAILED', '--sensor must be 1-64 of A-Z a-z 0-9 . _ -');
  return {
    stateDir: resolve(f.stateDir),
    sensor,
    org: f.org,
    inputs,
    to,
    token,
    tls: {
      ca: f.ca ? readSecretFile(f.ca, 'CA') : undefined,
      cert: f.cert ? readSecretFile(f.cert, 'certificate') : undefined,
      key: f.key ? readSecretFile(f.key, 'key') : undefined,
    },
    gzip: f.gzip ?? false,
    batchMaxEvents: f.batchEvents,
    batchMaxBytes: f.batchBytes,
    lingerMs: f.lingerMs,
    pollMs: f.pollMs,
    spoolMaxBytes: f.spoolMaxBytes,
    whenSpoolFull: f.whenSpoolFull,
    maxLineBytes: f.maxLineBytes,
    fromEnd: f.fromEnd ?? false,
    metrics: f.metricsPort !== undefined ? { host: f.metricsHost, port: f.metricsPort } : undefined,
  };
}
