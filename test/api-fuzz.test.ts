/**
 * Random requests at every route of the OpenAPI document (random path parameters, query strings,
 * headers, bodies and content types; anonymous and as the platform admin): never a 5xx, and
 * every error has the one shape {error:{code,message}} with a stable code, echoing no header.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubModule } from '../src/hub/index.ts';
import { ledgerModule } from '../src/ledger/index.ts';
import { vaultModule } from '../src/vault/index.ts';
import { freePort } from './helpers/net.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';

interface Route {
  method: string;
  path: string;
}

/** A marker sent in every random header value: it must never come back in a body. */
const MARK = 'zq9Xmark';

const segment = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^[a-z0-9_-]{1,140}$/),
  fc.constantFrom(
    '%zz',
    '%00',
    '..',
    '%2e%2e',
    'Infinity',
    '-1',
    '1e300',
    '__proto__',
    'constructor',
    'x'.repeat(300),
    '%F0%9F%92%A9',
  ),
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('Infinity', 'NaN', '-1', '1e300', '100000000000000000000', '', '[]', '{}', '%zz', 'true'),
);
const query = fc.array(
  fc.tuple(
    fc.constantFrom(
      'limit',
      'offset',
      'org',
      'kind',
      'topic',
      'since',
      'until',
      'before',
      'version',
      'from',
      'to',
      'index',
      'size',
      'x',
      '__proto__',
    ),
    queryValue,
  ),
  { maxLength: 4 },
);
const headerName = fc.stringMatching(/^x-[a-z]{1,10}$/);
const headers = fc.dictionary(
  headerName,
  fc.stringMatching(/^[ -~]{0,40}$/).map((v) => `${MARK}${v}`),
  { maxKeys: 3 },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => ({ type: 'application/json', text: JSON.stringify(v) ?? 'null' })),
  fc.string({ maxLength: 60 }).map((text) => ({ type: 'application/json', text })),
  fc
    .constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', '{"a":1}{', '[1,2')
    .map((text) => ({ type: 'application/json', text })),
  fc
    .tuple(
      fc.constantFrom(
        'text/plain',
        'application/xml',
        'application/cose',
        'multipart/form-data',
        'application/x-www-form-urlencoded',
        '',
      ),
      fc.string({ maxLength: 40 }),
    )
    .map(([type, text]) => ({ type, text })),
);

function fill(path: string, values: string[]): string {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () =>
    encodeURIComponent(values[i++ % values.length] ?? 'x').replace(/%25(zz|00|2e|F0|9F|92|A9)/gi, '%$1'),
  );
}

describe('random requests at every documented route', () => {
  let t: TestPlatform;
  let routes: Route[];
  let admin: string;

  beforeAll(async () => {
    t = await startTestPlatform({
      modules: [hubModule(), ledgerModule(), vaultModule()],
      config: { mqttPort: await freePort(), auth: { loginRateLimitPerMinute: 10_000 } },
    });
    admin = await t.adminToken();
    const doc = t.platform.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
    // Streams (SSE) never end by design; they are tested in hub and live-session suites.
    routes = routes.filter((r) => !/subscribe|\/stream$/i.test(r.path));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('finds the documented routes', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.some((r) => r.path.startsWith('/api/v1/principals/'))).toBe(true);
  });

  it('every list route answers out-of-range pagination with 400 VALIDATION_FAILED, never a 5xx', async () => {
    const lists = routes.filter((r) => r.method === 'GET' && !r.path.includes('{'));
    expect(lists.length).toBeGreaterThan(5);
    let checked = 0;
    for (const r of lists) {
      // Only what the admin can list at all (the console's session route, say, needs its cookie).
      const plain = await t.platform.app.inject({
        method: 'GET',
        url: r.path,
        headers: { authorization: `Bearer ${admin}` },
      });
      if (plain.statusCode >= 300) continue;
      checked++;
      for (const key of ['limit', 'offset']) {
        for (const v of ['Infinity', '1e300', '100000000000000000000', '-1', 'NaN']) {
          const res = await t.platform.app.inject({
            method: 'GET',
            url: `${r.path}?${key}=${v}`,
            headers: { authorization: `Bearer ${admin}` },
          });
          expect(res.statusCode, `${r.path}?${key}=${v} -> ${res.body.slice(0, 200)}`).toBeLessThan(500);
          if (res.statusCode >= 400)
            expect((JSON.parse(res.body) as { error: { code: string } }).error.code, `${r.path}?${key}=${v}`).toMatch(
              /^(VALIDATION_FAILED|FORBIDDEN|NOT_FOUND)$/,
            );
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('never answers 5xx, and every error has the one shape with a stable code and no echoed header', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        query,
        headers,
        body,
        fc.boolean(),
        async (pick, params, q, h, b, authenticated) => {
          const route = routes[pick % routes.length]!;
          const qs = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          const url = fill(route.path, params) + (qs ? `?${qs}` : '');
          const res = await t.platform.app.inject({
            method: route.method as 'GET',
            url,
            headers: {
              ...h,
              ...(authenticated ? { authorization: `Bearer ${admin}` } : {}),
              ...(b && b.type ? { 'content-type': b.type } : {}),
            },
            ...(b ? { payload: b.text } : {}),
          });
          expect(res.statusCode, `${route.method} ${url} -> ${res.body.slice(0, 200)}`).toBeLessThan(500);
          expect(res.body.includes(MARK), `${route.method} ${url} echoed a header`).toBe(false);
          if (res.statusCode >= 400) {
            const parsed = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
            expect(parsed.error, `${route.method} ${url} -> ${res.body.slice(0, 200)}`).toBeDefined();
            expect(parsed.error!.code).toMatch(/^[A-Z][A-Z0-9_]{2,63}$/);
            expect(typeof parsed.error!.message).toBe('string');
          }
        },
      ),
      { numRuns: 1500 },
    );
  }, 300_000);
});
