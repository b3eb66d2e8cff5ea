import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, silentLogger, type Clock, type ConfigInput, type Store } from '../../src/core/index.ts';
import type { PlatformModule } from '../../src/core/index.ts';
import { startPlatform, type Platform } from '../../src/server/index.ts';

export interface TestPlatform {
  platform: Platform;
  dataDir: string;
  adminPassword: string;
  /** Logs in and returns the access token. */
  login(username: string, password: string): Promise<string>;
  adminToken(): Promise<string>;
  request(
    method: string,
    url: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestPlatformOptions {
  store?: Store;
  modules?: PlatformModule[];
  config?: ConfigInput;
  clock?: Clock;
  listen?: boolean;
  /** Copy the platform keys from this data directory (a second process of the same deployment). */
  keysFrom?: string;
}

/** A whole platform on a fresh data directory, with a cheap password hash for speed. */
export async function startTestPlatform(opts: TestPlatformOptions = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'msec-test-'));
  if (opts.keysFrom) cpSync(join(opts.keysFrom, 'keys'), join(dataDir, 'keys'), { recursive: true });
  const config = loadConfig({
    env: {},
    flags: {
      dataDir,
      port: 0,
      logLevel: 'silent',
      ...opts.config,
      auth: { passwordHashCost: 10, ...opts.config?.auth },
    },
  });
  const platform = await startPlatform({
    config,
    logger: silentLogger(),
    listen: opts.listen ?? false,
    ...(opts.store ? { store: opts.store } : {}),
    ...(opts.modules ? { modules: opts.modules } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const credentialFile =
    platform.adminCredentialFile ?? (opts.keysFrom && join(opts.keysFrom, 'admin-credential.json'));
  const adminPassword = credentialFile
    ? (JSON.parse(readFileSync(credentialFile, 'utf8')) as { password: string }).password
    : '';
  const request: TestPlatform['request'] = (method, url, o = {}) =>
    platform.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.body !== undefined || o.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
        ...o.headers,
      },
      ...(o.rawBody !== undefined
        ? { payload: o.rawBody }
        : o.body !== undefined
          ? { payload: JSON.stringify(o.body) }
          : {}),
    });
  const login = async (username: string, password: string) => {
    const res = await request('POST', '/api/v1/auth/login', { body: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { accessToken: string }).accessToken;
  };
  let adminTokenCache: string | undefined;
  return {
    platform,
    dataDir,
    adminPassword,
    login,
    adminToken: async () => (adminTokenCache ??= await login('admin', adminPassword)),
    request,
    close: async () => {
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
