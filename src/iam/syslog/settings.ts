import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { MsecError } from '../../core/index.ts';

export interface SyslogSettings {
  transport: 'tcp' | 'tls';
  host: string;
  port: number;
  /** PEM trust anchors for tls:// (default: the system's). */
  ca?: string | undefined;
  /** Client certificate and key for receivers that require mutual TLS. */
  cert?: string | undefined;
  key?: string | undefined;
  /** Messages held while the receiver is away; the oldest are dropped beyond this. */
  bufferSize: number;
  hostname: string;
  enterpriseId: string;
}

function invalid(message: string): MsecError {
  return new MsecError('IAM_SYSLOG_CONFIG_INVALID', message);
}

function readPem(name: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`${name}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/**
 * Syslog forwarding from the environment; undefined when MSEC_SYSLOG_URL is unset.
 * MSEC_SYSLOG_URL=tcp://host:port | tls://host:port, MSEC_SYSLOG_CA_FILE, MSEC_SYSLOG_CERT_FILE,
 * MSEC_SYSLOG_KEY_FILE, MSEC_SYSLOG_BUFFER (messages, default 10000), MSEC_SYSLOG_HOSTNAME,
 * MSEC_SYSLOG_ENTERPRISE_ID (the SD-ID suffix, default 32473).
 */
export function syslogSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SyslogSettings | undefined {
  const raw = env.MSEC_SYSLOG_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`MSEC_SYSLOG_URL: not a URL: "${raw}" (expected tcp://host:port or tls://host:port)`);
  }
  const transport = url.protocol.slice(0, -1);
  if (transport !== 'tcp' && transport !== 'tls')
    throw invalid(
      `MSEC_SYSLOG_URL: scheme must be tcp or tls, got "${transport}" (UDP is not offered: it loses events)`,
    );
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535)
    throw invalid(`MSEC_SYSLOG_URL: needs a host and a port, got "${raw}"`);
  if (url.pathname && url.pathname !== '/' && url.pathname !== '')
    throw invalid(`MSEC_SYSLOG_URL: takes no path, got "${url.pathname}"`);
  const bufRaw = env.MSEC_SYSLOG_BUFFER ?? '10000';
  if (!/^[1-9][0-9]{0,7}$/.test(bufRaw))
    throw invalid(`MSEC_SYSLOG_BUFFER: expected a positive integer, got "${bufRaw}"`);
  const pen = env.MSEC_SYSLOG_ENTERPRISE_ID ?? '32473';
  if (!/^[0-9]+(\.[0-9]+)*$/.test(pen))
    throw invalid(`MSEC_SYSLOG_ENTERPRISE_ID: expected digits and dots, got "${pen}"`);
  const ca = readPem('MSEC_SYSLOG_CA_FILE', env.MSEC_SYSLOG_CA_FILE);
  const cert = readPem('MSEC_SYSLOG_CERT_FILE', env.MSEC_SYSLOG_CERT_FILE);
  const key = readPem('MSEC_SYSLOG_KEY_FILE', env.MSEC_SYSLOG_KEY_FILE);
  if (transport === 'tcp' && (ca || cert || key))
    throw invalid('MSEC_SYSLOG_CA_FILE, _CERT_FILE and _KEY_FILE apply to tls:// only');
  if (!!cert !== !!key) throw invalid('MSEC_SYSLOG_CERT_FILE and MSEC_SYSLOG_KEY_FILE go together');
  return {
    transport,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    ca,
    cert,
    key,
    bufferSize: Number(bufRaw),
    hostname: env.MSEC_SYSLOG_HOSTNAME || hostname(),
    enterpriseId: pen,
  };
}
