import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createServer as tlsServer, type Server as TlsServer } from 'node:tls';
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

/** A P-256 CA, a server certificate for 127.0.0.1 and a client (device) certificate, made with openssl. */
function testPki(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ossl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=bench CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  writeFileSync(join(dir, 'srv.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'cli.cnf'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn, ext] of [
    ['srv', '127.0.0.1', 'srv.cnf'],
    ['cli', 'device-1', 'cli.cnf'],
  ] as const) {
    ossl('req', ...ec, '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ossl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      `${name}.pem`,
    );
  }
  const r = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    ca: r('ca.pem'),
    serverCert: r('srv.pem'),
    serverKey: r('srv.key'),
    clientCert: r('cli.pem'),
    clientKey: r('cli.key'),
  };
}

/**
 * Full TLS 1.3 handshakes per second (no session resumption) against a plain TLS listener and
 * against an mTLS one that requires and verifies a client certificate from its CA, same keys.
 */
async function handshakes(seconds: number): Promise<{ plain: number; mtls: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'msec-bench-pki-'));
  const servers: TlsServer[] = [];
  try {
    const p = testPki(dir);
    const listen = async (mutual: boolean) => {
      const srv = tlsServer(
        { cert: p.serverCert, key: p.serverKey, ca: p.ca, requestCert: mutual, rejectUnauthorized: mutual },
        (sock) => {
          sock.on('error', () => undefined);
          sock.end();
        },
      );
      servers.push(srv);
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      return (srv.address() as { port: number }).port;
    };
    const once = (port: number, mutual: boolean) =>
      new Promise<void>((resolve, reject) => {
        const s = tlsConnect({
          host: '127.0.0.1',
          port,
          ca: p.ca,
          ...(mutual ? { cert: p.clientCert, key: p.clientKey } : {}),
        });
        s.once('secureConnect', () => {
          if (!s.authorized) reject(new Error(`server not authorised: ${String(s.authorizationError)}`));
          s.destroy();
          resolve();
        });
        s.once('error', reject);
      });
    const plainPort = await listen(false);
    const mtlsPort = await listen(true);
    await rate(1, 4, () => once(plainPort, false));
    await rate(1, 4, () => once(mtlsPort, true));
    const plain = await rate(seconds, 4, () => once(plainPort, false));
    const mtls = await rate(seconds, 4, () => once(mtlsPort, true));
    return { plain, mtls };
  } finally {
    for (const s of servers) await new Promise((r) => s.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * LDAP-backed logins (directory search + user bind + token issue) beside raw ldapts binds on the
 * same slapd, and authorised API requests of a directory user (group re-check served from the
 * TTL cache, policy decision) beside a bare Fastify route, and mTLS handshakes beside plain TLS
 * ones — all measured in this run.
 */
export async function run(args: string[]): Promise<void> {
  const seconds = Number(/--seconds=(\d+)/.exec(args.join(' '))?.[1] ?? 3);
  const hs = await handshakes(seconds);
  console.log(`plain TLS 1.3 handshakes (P-256, no resumption): ${hs.plain.toFixed(0)} /s`);
  console.log(
    `mTLS handshakes (client certificate verified against the CA): ${hs.mtls.toFixed(0)} /s  ratio ${(hs.mtls / hs.plain).toFixed(2)} of plain TLS`,
  );
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
