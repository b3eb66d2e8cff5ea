/**
 * `msec up` with MSEC_TLS_CERT/MSEC_TLS_KEY: the hub's MQTT broker speaks TLS only. mqtt.js with
 * the CA and mosquitto_pub/mosquitto_sub with --cafile connect and exchange messages; plaintext
 * clients and clients that do not trust the certificate are refused.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnMsec } from './helpers/cli.ts';
import { tempDataDir, removeTempDirs } from './helpers/e2e-platform.ts';
import { runTool } from './helpers/hub-platform.ts';
import { freePort, waitFor } from './helpers/net.ts';

function httpsJson(url: string, ca: Buffer, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        ca,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Connects with mqtt.js; resolves 'connected' or the failure's message. */
function tryConnect(url: string, opts: mqtt.IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 4000, protocolVersion: 4, ...opts });
    const done = (outcome: string) => {
      c.end(true);
      resolve(outcome);
    };
    c.once('connect', () => done('connected'));
    c.once('error', (err) => done(err.message));
    c.once('close', () => done('closed'));
  });
}

describe('hub MQTT broker over TLS (msec up with MSEC_TLS_CERT/MSEC_TLS_KEY)', () => {
  const dir = tempDataDir('msec-e2e-tls-');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  let server: ReturnType<typeof spawnMsec>;
  let base = '';
  let mqttPort = 0;
  let ca: Buffer;
  let token = '';

  beforeAll(async () => {
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
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert);
    const port = await freePort();
    mqttPort = await freePort();
    const dataDir = join(dir, 'data');
    server = spawnMsec(
      ['up', '--data-dir', dataDir, '--port', String(port), '--mqtt-port', String(mqttPort), '--log-level', 'warn'],
      { MSEC_TLS_CERT: cert, MSEC_TLS_KEY: key },
    );
    base = `https://127.0.0.1:${port}`;
    await waitFor(async () => server.output().includes(`msec is up at ${base}`), 30_000, 'msec up over TLS');
    const { password } = JSON.parse(readFileSync(join(dataDir, 'admin-credential.json'), 'utf8')) as {
      password: string;
    };
    const login = await httpsJson(`${base}/api/v1/auth/login`, ca, { username: 'admin', password });
    expect(login.status).toBe(200);
    token = login.body.accessToken as string;
  }, 40_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    expect(await server?.exited).toBe(0);
    removeTempDirs();
  });

  it('accepts mqtt.js over TLS with the CA; refuses plaintext and clients that do not trust the certificate', async () => {
    expect(await tryConnect(`mqtts://127.0.0.1:${mqttPort}`, { ca, username: 'admin', password: token })).toBe(
      'connected',
    );
    expect(
      await tryConnect(`mqtt://127.0.0.1:${mqttPort}`, { username: 'admin', password: token, connectTimeout: 2000 }),
    ).not.toBe('connected');
    expect(await tryConnect(`mqtts://127.0.0.1:${mqttPort}`, { username: 'admin', password: token })).toMatch(
      /self.signed|certificate/i,
    );
  }, 20_000);

  it('mosquitto_sub and mosquitto_pub with --cafile exchange a message; without TLS they are refused', async () => {
    const tls = [
      '-h',
      '127.0.0.1',
      '-p',
      String(mqttPort),
      '--cafile',
      cert,
      '-u',
      'admin',
      '-P',
      token,
      '-V',
      'mqttv311',
    ];
    const sub = spawn('mosquitto_sub', [...tls, '-t', 'apps/platform/#', '-C', '1', '-W', '15', '-q', '1']);
    let out = '';
    let err = '';
    sub.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sub.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<number | null>((r) => sub.on('close', r));
    // Publish until the subscriber (which may still be handshaking) has one.
    let exited = false;
    void done.then(() => (exited = true));
    for (let i = 0; i < 30 && !exited; i++) {
      const pub = await runTool(
        'mosquitto_pub',
        [...tls, '-t', 'apps/platform/tls-check', '-m', 'over tls', '-q', '1'],
        5000,
      );
      expect(pub.stderr).toBe('');
      expect(pub.code).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await done).toBe(0);
    expect(err).toBe('');
    expect(out.trim()).toBe('over tls');

    const plain = await runTool(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(mqttPort),
        '-u',
        'admin',
        '-P',
        token,
        '-t',
        'apps/platform/x',
        '-m',
        'plain',
        '-V',
        'mqttv311',
      ],
      5000,
    );
    expect(plain.code).not.toBe(0);
  }, 30_000);
});
