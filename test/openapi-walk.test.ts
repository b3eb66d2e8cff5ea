/**
 * The OpenAPI document tells the truth. The platform runs with every module `msec up` starts
 * (hub, ledger, vault, monitor, market, anonymizer, OAuth and the console), and every operation
 * the document lists is called without credentials, with credentials and a bad body, and (for
 * reads) with credentials. Each answer's status must be one the document declares for that
 * operation, its content type one the document gives for that status, and a JSON body must
 * validate (ajv, JSON Schema 2020-12) against the schema the document gives for that status. An
 * operation that declares a security requirement must answer 401 without credentials, and one
 * that declares none must not. Streams (text/event-stream) are called over real HTTP and closed
 * once their head arrives.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformModules } from '../src/cli/modules.ts';
import { loadConfig } from '../src/core/index.ts';
import { freePort } from './helpers/net.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

interface Media {
  schema?: Record<string, unknown>;
}
interface Answer {
  description: string;
  content?: Record<string, Media>;
}
interface Operation {
  security?: unknown[];
  responses: Record<string, Answer>;
  requestBody?: unknown;
}
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
  security?: unknown[];
};
interface Reply {
  status: number;
  type: string;
  body: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OpenAPI document walk over every module', () => {
  let t: TestPlatform;
  let base: string;
  let doc: Doc;
  let admin: string;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const compiled = new Map<object, ValidateFunction>();

  beforeAll(async () => {
    const modules = await platformModules(loadConfig({ env: {}, flags: { roles: ['all'] } }));
    t = await startTestPlatform({
      modules,
      listen: true,
      config: { mqttPort: await freePort(), auth: { loginRateLimitPerMinute: 10_000 } },
    });
    const address = t.platform.app.server.address();
    if (!address || typeof address === 'string') throw new Error('the platform does not listen');
    base = `http://127.0.0.1:${address.port}`;
    admin = await t.adminToken();
    const res = await t.request('GET', '/docs/json');
    expect(res.statusCode).toBe(200);
    doc = res.json() as Doc;
  }, 120_000);
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
  const isStream = (op: Operation) =>
    Object.values(op.responses).some((a) => Object.keys(a.content ?? {}).includes('text/event-stream'));

  /** One call; a stream is read over HTTP only up to its head. */
  async function call(op: Operation, method: string, url: string, token?: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (isStream(op)) {
      const abort = new AbortController();
      const res = await fetch(base + url, { method, headers, signal: abort.signal });
      const type = res.headers.get('content-type') ?? '';
      const text = type.startsWith('text/event-stream') ? '' : await res.text();
      abort.abort();
      return { status: res.status, type, body: text };
    }
    const res = await t.request(method, url, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.body };
  }

  /** Why the answer is not what the document says for this operation, or undefined. */
  function mismatch(op: Operation, reply: Reply): string | undefined {
    const declared = op.responses[String(reply.status)];
    if (!declared) return `${reply.status} not in [${Object.keys(op.responses)}]`;
    const media = Object.keys(declared.content ?? {});
    if (media.length === 0) return reply.body === '' ? undefined : `${reply.status} has a body, the document none`;
    const type = reply.type.split(';')[0]!.trim();
    const mediaType = media.find((m) => m === type || (m.endsWith('/*') && type.startsWith(m.slice(0, -1))));
    if (!mediaType) return `${reply.status} answered ${type || 'no content type'}, the document says [${media}]`;
    const schema = declared.content![mediaType]!.schema;
    if (!schema || !/json$/.test(mediaType)) return undefined;
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile({ ...schema, components: doc.components });
      compiled.set(schema, validate);
    }
    if (validate(JSON.parse(reply.body))) return undefined;
    return `${reply.status} body ${reply.body.slice(0, 160)} breaks the schema: ${ajv.errorsText(validate.errors)}`;
  }

  it('documents the routes of every module, and the one error body as a component', () => {
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/readings',
      '/api/v1/devices/enroll/finish',
      '/api/v1/ledger/checkpoint',
      '/api/v1/access-rules',
      '/api/v1/vault/records/{id}',
      '/api/v1/monitor/alerts',
      '/api/v1/market/listings',
      '/api/v1/anonymizer/jobs',
      '/api/v1/console/session',
      '/api/v1/oauth/token',
    ])
      expect(paths).toContain(p);
    expect(doc.components.schemas['MsecError']).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('every operation declares its success answer with a schema of its own', () => {
    const wrong: string[] = [];
    for (const { path, method, op } of operations()) {
      // A redirect is the success of a browser sign-in step (the console's OIDC start and callback).
      const success = Object.entries(op.responses).filter(([s]) => s.startsWith('2') || s === '302');
      if (success.length === 0) wrong.push(`${method} ${path}: no success status`);
      for (const [status, answer] of success) {
        if (status === '204' || status === '302' || answer.description.endsWith('no body')) continue;
        for (const [type, media] of Object.entries(answer.content ?? {})) {
          const s = media.schema ?? {};
          const bare = s['type'] === 'object' && !s['properties'] && !s['additionalProperties'];
          if (/json$/.test(type) && (Object.keys(s).length === 0 || bare))
            wrong.push(`${method} ${path} ${status}: a bare schema`);
        }
        if (!answer.content) wrong.push(`${method} ${path} ${status}: no content declared`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every error answer references the one error body', () => {
    const wrong: string[] = [];
    for (const { path, method, op } of operations())
      for (const [status, answer] of Object.entries(op.responses)) {
        if (!/^[45]/.test(status)) continue;
        const schema = answer.content?.['application/json']?.schema;
        // OAuth's endpoints answer RFC 6749's error shape and the Elasticsearch-compatible ones
        // Elasticsearch's, by their standards; /healthz's 503 is its degraded health report.
        if (
          schema?.['$ref'] !== '#/components/schemas/MsecError' &&
          !/^\/api\/v1\/(oauth|monitor\/es)\b/.test(path) &&
          !(path === '/healthz' && status === '503')
        )
          wrong.push(`${method} ${path} ${status}: ${JSON.stringify(schema)?.slice(0, 80)}`);
      }
    expect(wrong).toEqual([]);
  });

  it('every answer is one the document declares, and security is declared exactly where it is required', async () => {
    const wrong: string[] = [];
    let calls = 0;
    for (const { path, method, op } of operations()) {
      const secured = (op.security ?? doc.security ?? []).length > 0;
      const url = urlOf(path);
      const check = (what: string, reply: Reply) => {
        calls++;
        const why = mismatch(op, reply);
        if (why) wrong.push(`${method} ${path} ${what}: ${why}`);
      };
      const anon = await call(op, method, url, undefined, hasBody(method) ? {} : undefined);
      check('without credentials', anon);
      if (secured && anon.status !== 401)
        wrong.push(`${method} ${path} without credentials: ${anon.status}, but it declares security`);
      if (!secured && anon.status === 401 && !op.responses['401'])
        wrong.push(`${method} ${path} without credentials: 401, but it declares no security`);
      if (hasBody(method)) {
        const bad = await call(op, method, url, admin, { walk: [1, 2, 3] });
        check('with a bad body', bad);
        if (op.requestBody && bad.status !== 400 && bad.status !== 404)
          wrong.push(`${method} ${path} with a bad body: ${bad.status}, expected 400`);
      } else {
        check('with credentials', await call(op, method, url, admin));
      }
    }
    expect(wrong).toEqual([]);
    expect(calls).toBeGreaterThan(2 * operations().length - 1);
  }, 300_000);

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
