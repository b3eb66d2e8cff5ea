/**
 * The OpenAPI document tells the truth: every operation it lists is called without credentials,
 * with credentials and a bad body, and (for reads) with credentials, and each answer's status
 * must be one the document declares for that operation; an operation that declares a security
 * requirement must answer 401 without credentials, and one that declares none must not.
 * Platform: core, IAM, hub and ledger (what devices and data clients talk to).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerModule } from '../src/ledger/index.ts';
import { startHubPlatform, type HubTestPlatform } from './helpers/hub-platform.ts';

interface Operation {
  security?: unknown[];
  responses: Record<string, unknown>;
  requestBody?: unknown;
}
type Doc = { paths: Record<string, Record<string, Operation>>; security?: unknown[] };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OpenAPI document walk', () => {
  let t: HubTestPlatform;
  let doc: Doc;
  let admin: string;

  beforeAll(async () => {
    t = await startHubPlatform({ alsoModules: [ledgerModule({ batchIntervalMs: 3_600_000 })] });
    admin = await t.adminToken();
    const res = await t.request('GET', '/docs/json');
    expect(res.statusCode).toBe(200);
    doc = res.json() as Doc;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m]) => METHODS.includes(m))
        .map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    );
  const urlOf = (path: string) => path.replace(/\{[^}]+\}/g, 'walk-0');
  const hasBody = (method: string) => ['POST', 'PUT', 'PATCH'].includes(method);

  it('documents the device, hub and ledger routes', () => {
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/readings',
      '/api/v1/devices/enroll/finish',
      '/api/v1/ledger/checkpoint',
      '/api/v1/ledger/verifier-key',
      '/api/v1/access-rules',
    ])
      expect(paths).toContain(p);
  });

  it('every answer is one the document declares, and security is declared exactly where it is required', async () => {
    const wrong: string[] = [];
    for (const { path, method, op } of operations()) {
      const declared = new Set(Object.keys(op.responses));
      const secured = (op.security ?? doc.security ?? []).length > 0;
      const url = urlOf(path);
      const anon = await t.request(method, url, hasBody(method) ? { body: {} } : {});
      if (secured && anon.statusCode !== 401)
        wrong.push(`${method} ${path} without credentials: ${anon.statusCode}, but it declares security`);
      if (!secured && anon.statusCode === 401 && !declared.has('401'))
        wrong.push(`${method} ${path} without credentials: 401, but it declares no security`);
      if (!declared.has(String(anon.statusCode)))
        wrong.push(`${method} ${path} without credentials: ${anon.statusCode} not in [${[...declared]}]`);
      if (hasBody(method)) {
        const bad = await t.request(method, url, { token: admin, body: { walk: [1, 2, 3] } });
        if (!declared.has(String(bad.statusCode)))
          wrong.push(`${method} ${path} bad body: ${bad.statusCode} not in [${[...declared]}]`);
        if (op.requestBody && bad.statusCode !== 400 && bad.statusCode !== 404)
          wrong.push(`${method} ${path} bad body: ${bad.statusCode}, expected 400`);
      } else if (method === 'GET') {
        const ok = await t.request(method, url, { token: admin });
        if (!declared.has(String(ok.statusCode)))
          wrong.push(`${method} ${path} with credentials: ${ok.statusCode} not in [${[...declared]}]`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('declares the statuses devices actually get', () => {
    const codes = (p: string, m: string) => Object.keys(doc.paths[p]![m]!.responses);
    expect(codes('/api/v1/readings', 'post')).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409']));
    expect(codes('/api/v1/readings', 'post')).not.toContain('200');
    expect(codes('/api/v1/devices/enroll/finish', 'post')).toEqual(
      expect.arrayContaining(['201', '202', '400', '401', '409']),
    );
    expect(codes('/api/v1/devices/enrollment-tokens', 'post')).toContain('201');
    expect(doc.paths['/api/v1/ledger/checkpoint']!.get!.security).toEqual([]);
  });
});
