import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { Client } from 'ldapts';
import { ldapModule } from '../src/iam/index.ts';
import { startTestPlatform } from '../test/helpers/platform.ts';
import { loadCityDirectory, startSlapd, SUFFIX } from '../test/helpers/slapd.ts';

/** Runs `op` from `concurrency` loops for `seconds`; returns completed operations per second. */
async function rate(seconds: number, concurrency: number, op: () => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await op();
        done++;
      }
    }),
  );
  return done / seconds;
}

/**
 * LDAP-backed logins (directory search + user bind + token issue) beside raw ldapts binds on the
 * same slapd, and authorised API requests of a directory user (group re-check served from the
 * TTL cache, policy decision) beside a bare Fastify route — all measured in this run.
 */
export async function run(args: string[]): Promise<void> {
  const seconds = Number(/--seconds=(\d+)/.exec(args.join(' '))?.[1] ?? 3);
  const slapd = await startSlapd();
  const bare = Fastify();
  bare.get('/bare', async () => ({ ok: true }));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  try {
    const { servicePassword, passwords } = await loadCityDirectory(
      slapd,
      [{ uid: 'alice', groups: ['operators'] }],
      ['operators'],
    );
    const passwordFile = join(slapd.dir, 'bind-password');
    writeFileSync(passwordFile, servicePassword, { mode: 0o600 });
    const t = await startTestPlatform({
      listen: true,
      modules: [ldapModule()],
      config: {
        host: '127.0.0.1',
        auth: { loginRateLimitPerMinute: 10000 },
        ldap: {
          url: slapd.url,
          bindDn: `cn=msec,ou=services,${SUFFIX}`,
          bindPasswordFile: passwordFile,
          userBase: `ou=people,${SUFFIX}`,
          groupBase: `ou=groups,${SUFFIX}`,
          groupRoles: { operators: 'operator' },
          defaultOrg: 'santander',
          cacheTtlSeconds: 60,
        },
      },
    });
    try {
      const userDn = `uid=alice,ou=people,${SUFFIX}`;
      const binds = await rate(seconds, 4, async () => {
        const c = new Client({ url: slapd.url });
        await c.bind(userDn, passwords.alice!);
        await c.unbind();
      });
      const body = JSON.stringify({ username: 'alice', password: passwords.alice });
      let token = '';
      const logins = await rate(seconds, 4, async () => {
        const res = await t.request('POST', '/api/v1/auth/login', { rawBody: body });
        if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
        token = (res.json() as { accessToken: string }).accessToken;
      });
      const fire = (url: string, headers: Record<string, string>, s: number) =>
        autocannon({ url, connections: 16, duration: s, headers });
      await fire(`${bareUrl}/bare`, {}, 1);
      await fire(`${t.platform.url}/api/v1/principals`, { authorization: `Bearer ${token}` }, 1);
      const base = await fire(`${bareUrl}/bare`, {}, seconds);
      const authz = await fire(`${t.platform.url}/api/v1/principals`, { authorization: `Bearer ${token}` }, seconds);
      if (authz.non2xx) throw new Error(`authorised requests failed: ${authz.non2xx} non-2xx`);
      console.log(`raw ldapts connect+bind+unbind: ${binds.toFixed(0)} /s`);
      console.log(
        `LDAP-backed logins (search, bind, token): ${logins.toFixed(0)} /s  ratio ${(logins / binds).toFixed(2)} of raw binds`,
      );
      console.log(`bare fastify GET: ${base.requests.average.toFixed(0)} req/s`);
      console.log(
        `GET /api/v1/principals as LDAP user (cached groups + policy): ${authz.requests.average.toFixed(0)} req/s  ratio ${(authz.requests.average / base.requests.average).toFixed(2)} of bare`,
      );
    } finally {
      await t.close();
    }
  } finally {
    await bare.close();
    await slapd.stop();
  }
}
