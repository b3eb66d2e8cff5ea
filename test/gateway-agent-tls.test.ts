/**
 * The agent over HTTPS: it verifies the receiver against --ca (and refuses an unknown certificate,
 * retrying), and authenticates with a client certificate (--cert/--key) where the receiver asks for one.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../src/gateway/index.ts';
import { MonitorReceiver } from './helpers/monitor-receiver.ts';
import { waitFor } from './helpers/net.ts';

const TOKEN = 'msec_tls.' + 't'.repeat(32);

/** A self-signed P-256 certificate made with openssl for this run. */
function selfSigned(dir: string, name: string, san: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

describe('gateway agent over HTTPS', () => {
  let dir: string;
  let server: { key: string; cert: string };
  let client: { key: string; cert: string };
  const agents: RunningAgent[] = [];
  const receivers: MonitorReceiver[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'msec-agent-tls-'));
    server = selfSigned(dir, 'receiver', 'IP:127.0.0.1');
    client = selfSigned(dir, 'gw-tls', 'DNS:gw-tls');
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    for (const r of receivers.splice(0)) await r.stop();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(
    name: string,
    rxTls: { key: string; cert: string; clientCa?: string },
    tls: { ca?: string; cert?: string; key?: string },
    token?: string,
  ) {
    const rx = new MonitorReceiver({ token: TOKEN, tls: rxTls });
    await rx.start();
    receivers.push(rx);
    const eve = join(dir, `${name}.json`);
    writeFileSync(eve, '');
    const agent = await startAgent({
      stateDir: join(dir, `${name}-state`),
      sensor: 'gw-tls',
      version: '0.1.0',
      inputs: [{ kind: 'file', path: eve, type: 'eve' }],
      to: new URL(rx.url),
      ...(token ? { token } : {}),
      lingerMs: 5,
      pollMs: 20,
      tls: {
        ca: tls.ca ? Buffer.from(tls.ca) : undefined,
        cert: tls.cert ? Buffer.from(tls.cert) : undefined,
        key: tls.key ? Buffer.from(tls.key) : undefined,
      },
    });
    agents.push(agent);
    appendFileSync(
      eve,
      Array.from({ length: 50 }, (_, i) => JSON.stringify({ event_type: 'tls', seq: i })).join('\n') + '\n',
    );
    return { rx, agent };
  }

  it('verifies the receiver with --ca and delivers', async () => {
    const { rx } = await run('ca', server, { ca: server.cert }, TOKEN);
    await waitFor(async () => rx.store.size === 50, 30_000, '50 over HTTPS');
  });

  it('refuses a receiver certificate it cannot verify, and keeps the events spooled', async () => {
    const { rx, agent } = await run('noca', server, {}, TOKEN);
    await waitFor(async () => agent.health.retries > 0, 30_000, 'a refused handshake');
    expect(agent.health.lastError?.code).toBe('GATEWAY_SHIP_NETWORK');
    expect(agent.health.lastError?.message).toMatch(/self.signed|certificate/i);
    expect(rx.store.size).toBe(0);
    expect(agent.status()).toMatchObject({ spool: { events: 50 } });
  });

  it('authenticates with a client certificate (mutual TLS) instead of a token', async () => {
    const { rx } = await run(
      'mtls',
      { ...server, clientCa: client.cert },
      { ca: server.cert, cert: client.cert, key: client.key },
    );
    await waitFor(async () => rx.store.size === 50, 30_000, '50 over mutual TLS');
  });
});
