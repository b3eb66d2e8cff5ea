/**
 * End-to-end fixture: a real `msec up` child process on free ports with its own data directory,
 * driven over REST as an administrator would. `kill()` simulates a crash; `stop()` is SIGTERM.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killMsec, spawnMsec } from './cli.ts';
import { freePort, waitFor } from './net.ts';

export interface ApiResponse {
  status: number;
  body: any;
}

export interface MsecProcess {
  dataDir: string;
  port: number;
  mqttPort: number;
  base: string;
  output(): string;
  adminToken(): Promise<string>;
  api(method: string, path: string, opts?: { token?: string; apiKey?: string; body?: unknown }): Promise<ApiResponse>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
}

const tempDirs: string[] = [];

export function tempDataDir(prefix = 'msec-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes the directories tempDataDir made (call once the processes using them have exited). */
export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  mqttPort?: number;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for /healthz, ms (default 120 s: a loaded 2-core CI machine; an early exit fails at once). */
  readyMs?: number;
  /** Base URL scheme (https when TLS is configured). */
  scheme?: 'http' | 'https';
}

export async function startMsecUp(opts: StartOptions = {}): Promise<MsecProcess> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const port = opts.port ?? (await freePort());
  const mqttPort = opts.mqttPort ?? (await freePort());
  const base = `${opts.scheme ?? 'http'}://127.0.0.1:${port}`;
  const proc = spawnMsec(
    [
      'up',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--mqtt-port',
      String(mqttPort),
      '--log-level',
      'warn',
      ...(opts.args ?? []),
    ],
    opts.env,
  );
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => (exitCode = c));
  try {
    await waitFor(
      async () => {
        if (exitCode !== undefined) throw new Error('exited');
        return (await fetch(`${base}/healthz`)).status === 200;
      },
      opts.readyMs ?? 120_000,
      `msec up on ${base}`,
    );
  } catch (err) {
    killMsec(proc.child);
    throw new Error(`msec up did not start (${(err as Error).message}):\n${proc.output().slice(-3000)}`);
  }
  let token: { value: string; at: number } | undefined;
  const api: MsecProcess['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.apiKey) headers['x-api-key'] = o.apiKey;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  };
  return {
    dataDir,
    port,
    mqttPort,
    base,
    output: proc.output,
    api,
    async adminToken() {
      if (token && Date.now() - token.at < 60_000) return token.value;
      const { password } = JSON.parse(readFileSync(join(dataDir, 'admin-credential.json'), 'utf8')) as {
        password: string;
      };
      const r = await api('POST', '/api/v1/auth/login', { body: { username: 'admin', password } });
      if (r.status !== 200) throw new Error(`admin login failed: ${r.status} ${JSON.stringify(r.body)}`);
      token = { value: (r.body as { accessToken: string }).accessToken, at: Date.now() };
      return token.value;
    },
    async stop() {
      if (exitCode !== undefined) return exitCode;
      proc.child.kill('SIGTERM');
      return proc.exited;
    },
    async kill() {
      if (exitCode !== undefined) return;
      killMsec(proc.child);
      await proc.exited;
    },
  };
}

/** Creates an organisation if absent, a principal in it and an API key for it, all over REST. */
export async function createPrincipalWithKey(
  p: MsecProcess,
  org: string,
  name: string,
  roles: string[],
  kind: 'user' | 'service' = 'service',
): Promise<{ id: string; key: string }> {
  const admin = await p.adminToken();
  const o = await p.api('POST', '/api/v1/orgs', {
    token: admin,
    body: { id: org, name: org, kind: org === 'buyer' ? 'buyer' : 'city' },
  });
  if (o.status !== 201 && o.status !== 409) throw new Error(`org ${org}: ${o.status} ${JSON.stringify(o.body)}`);
  const made = await p.api('POST', '/api/v1/principals', { token: admin, body: { org, kind, name, roles } });
  if (made.status !== 201) throw new Error(`principal ${name}: ${made.status} ${JSON.stringify(made.body)}`);
  const key = await p.api('POST', '/api/v1/api-keys', {
    token: admin,
    body: { name: `${name}-key`, principalId: made.body.id },
  });
  if (key.status !== 201) throw new Error(`api key for ${name}: ${key.status} ${JSON.stringify(key.body)}`);
  return { id: made.body.id as string, key: key.body.key as string };
}

/** A one-time (or N-use) enrollment token over REST. */
export async function enrollmentToken(p: MsecProcess, org: string, maxUses = 1): Promise<string> {
  const r = await p.api('POST', '/api/v1/devices/enrollment-tokens', {
    token: await p.adminToken(),
    body: { org, maxUses },
  });
  if (r.status !== 201) throw new Error(`enrollment token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}
