import autocannon from 'autocannon';
import Fastify from 'fastify';
import { startTestPlatform } from '../test/helpers/platform.ts';

function fire(url: string, headers: Record<string, string>, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: 16, pipelining: 1, duration: seconds, headers });
}

/**
 * Authenticated GET /api/v1/me (JWT verify, policy decision, principal lookup) against a bare
 * Fastify route answering JSON, both served by this process and loaded by the same client.
 */
export async function run(args: string[]): Promise<void> {
  const seconds = Number(/--seconds=(\d+)/.exec(args.join(' '))?.[1] ?? 5);
  const bare = Fastify();
  bare.get('/bare', async () => ({ principal: { name: 'admin' }, via: 'none' }));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  const t = await startTestPlatform({ listen: true, config: { host: '127.0.0.1' } });
  try {
    const token = await t.adminToken();
    const key = (await t.request('POST', '/api/v1/api-keys', { token, body: { name: 'bench' } })).json().key as string;
    // Warm up both paths (JIT, token cache, SQLite page cache).
    await fire(`${bareUrl}/bare`, {}, 1);
    await fire(`${t.platform.url}/api/v1/me`, { authorization: `Bearer ${token}` }, 1);
    const base = await fire(`${bareUrl}/bare`, {}, seconds);
    const jwt = await fire(`${t.platform.url}/api/v1/me`, { authorization: `Bearer ${token}` }, seconds);
    const apiKey = await fire(`${t.platform.url}/api/v1/me`, { 'x-api-key': key }, seconds);
    if (jwt.non2xx || apiKey.non2xx)
      throw new Error(`authenticated requests failed: ${jwt.non2xx + apiKey.non2xx} non-2xx`);
    const r = (x: autocannon.Result) => x.requests.average;
    console.log(`bare fastify GET:           ${r(base).toFixed(0)} req/s (p99 ${base.latency.p99} ms)`);
    console.log(
      `GET /api/v1/me with JWT:    ${r(jwt).toFixed(0)} req/s (p99 ${jwt.latency.p99} ms)  ratio ${(r(jwt) / r(base)).toFixed(2)}`,
    );
    console.log(
      `GET /api/v1/me with API key: ${r(apiKey).toFixed(0)} req/s (p99 ${apiKey.latency.p99} ms)  ratio ${(r(apiKey) / r(base)).toFixed(2)}`,
    );
  } finally {
    await t.close();
    await bare.close();
  }
}
