import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../src/core/index.ts';
import { ldapModule } from '../src/iam/index.ts';
import { LdapDirectory } from '../src/iam/ldap/directory.ts';
import { freePort, waitFor } from './helpers/net.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { loadCityDirectory, startSlapd, SUFFIX, type Slapd } from './helpers/slapd.ts';

const USERS = [
  { uid: 'alice', groups: ['operators', 'santander'] },
  { uid: 'bob', groups: ['analysts', 'santander'] },
  { uid: 'carol', groups: ['coffee-club'] },
  { uid: 'dave', groups: ['analysts'] },
];

function ldapConfig(
  url: string,
  passwordFile: string,
  extra: Partial<NonNullable<ConfigInput['ldap']>> = {},
): NonNullable<ConfigInput['ldap']> {
  return {
    url,
    bindDn: `cn=msec,ou=services,${SUFFIX}`,
    bindPasswordFile: passwordFile,
    userBase: `ou=people,${SUFFIX}`,
    groupBase: `ou=groups,${SUFFIX}`,
    groupRoles: { operators: 'operator', analysts: 'analyst' },
    groupOrgs: { santander: 'santander' },
    defaultOrg: 'fujisawa',
    cacheTtlSeconds: 1,
    timeoutMs: 1500,
    ...extra,
  };
}

describe('LDAP directory back end against a real OpenLDAP', () => {
  let slapd: Slapd;
  let t: TestPlatform;
  let passwords: Record<string, string>;
  let passwordFile: string;

  beforeAll(async () => {
    slapd = await startSlapd();
    const loaded = await loadCityDirectory(slapd, USERS, ['operators', 'analysts', 'santander', 'coffee-club']);
    passwords = loaded.passwords;
    passwordFile = join(slapd.dir, 'bind-password');
    writeFileSync(passwordFile, `${loaded.servicePassword}\n`, { mode: 0o600 });
    t = await startTestPlatform({
      modules: [ldapModule()],
      config: { ldap: ldapConfig(slapd.url, passwordFile), auth: { loginRateLimitPerMinute: 1000 } },
    });
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await slapd?.stop();
  });

  const login = (username: string, password: string) =>
    t.request('POST', '/api/v1/auth/login', { body: { username, password } });

  it('logs directory users in with the role and organisation of their groups', async () => {
    const res = await login('alice', passwords.alice!);
    expect(res.statusCode).toBe(200);
    const token = (res.json() as { accessToken: string }).accessToken;
    const me = await t.request('GET', '/api/v1/me', { token });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      principal: {
        name: 'alice',
        kind: 'user',
        roles: ['operator'],
        orgId: 'santander',
        displayName: 'alice of the city',
      },
    });
    // operator may read principals of its organisation; an analyst may not.
    expect((await t.request('GET', '/api/v1/principals', { token })).statusCode).toBe(200);
    const bob = (await login('bob', passwords.bob!)).json() as { accessToken: string };
    expect((await t.request('GET', '/api/v1/principals', { token: bob.accessToken })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/audit', { token: bob.accessToken })).statusCode).toBe(200);
  });

  it('provisions one principal when first logins of the same user race', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => login('dave', passwords.dave!)));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const admin = await t.adminToken();
    const list = (await t.request('GET', '/api/v1/principals?org=fujisawa', { token: admin })).json() as
      Array<{ name: string }> | { items: Array<{ name: string }> };
    const items = Array.isArray(list) ? list : list.items;
    expect(items.filter((p) => p.name === 'dave')).toHaveLength(1);
  });

  it('refuses a wrong password, a user with no mapped group, and keeps the embedded admin working', async () => {
    const wrong = await login('alice', 'not-her-password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } });
    const carol = await login('carol', passwords.carol!);
    expect(carol.statusCode).toBe(403);
    expect(carol.json()).toMatchObject({ error: { code: 'IAM_LDAP_NO_ROLE' } });
    expect((await login('admin', t.adminPassword)).statusCode).toBe(200);
  });

  it('treats LDAP filter metacharacters in user names as data (RFC 4515), never as filter syntax', async () => {
    const dir = new LdapDirectory({
      url: slapd.url,
      bindDn: slapd.rootDn,
      bindPassword: slapd.rootPassword,
      userBase: `ou=people,${SUFFIX}`,
      userAttribute: 'uid',
      groupBase: `ou=groups,${SUFFIX}`,
      groupMemberAttribute: 'member',
      timeoutMs: 3000,
    });
    for (const attempt of [
      '*',
      'a*',
      '*)(uid=*',
      'alice)(|(uid=*',
      'alice\\',
      'ali\u0000ce',
      '*)(objectClass=*)(uid=alice',
    ]) {
      expect(await dir.findUser(attempt)).toBeUndefined();
      const res = await login(attempt, passwords.alice!);
      expect(res.statusCode, attempt).toBe(401);
    }
    expect((await dir.findUser('alice'))?.groups.sort()).toEqual(['operators', 'santander']);
  });

  it('removes access within the TTL when a user leaves their group, without restart or re-login', async () => {
    const token = ((await login('alice', passwords.alice!)).json() as { accessToken: string }).accessToken;
    expect((await t.request('GET', '/api/v1/principals', { token })).statusCode).toBe(200);
    const admin = await slapd.admin();
    try {
      await admin.modify(
        `cn=operators,ou=groups,${SUFFIX}`,
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: 'member', values: [`uid=alice,ou=people,${SUFFIX}`] }),
        }),
      );
    } finally {
      await admin.unbind();
    }
    // TTL is 1 s: bounded wait for the change to show, far above the TTL.
    await waitFor(
      async () => (await t.request('GET', '/api/v1/principals', { token })).statusCode === 403,
      20_000,
      'group removal to take effect',
    );
    const res = await t.request('GET', '/api/v1/principals', { token });
    expect(res.json()).toMatchObject({ error: { code: 'IAM_LDAP_NO_ROLE' } });
    expect((await login('alice', passwords.alice!)).statusCode).toBe(403);
  });
});

describe('LDAP directory that is down or slow', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let silentPort: number;
  let t: TestPlatform;
  let passwordFile: string;

  beforeAll(async () => {
    // A "directory" that accepts connections and never answers: the slow case.
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    silentPort = await freePort();
    await new Promise<void>((r) => silent.listen(silentPort, '127.0.0.1', r));
    t = await startTestPlatform({
      modules: [ldapModule()],
      config: { ldap: ldapConfig(`ldap://127.0.0.1:${silentPort}/`, '/dev/null', { timeoutMs: 500 }) },
    });
    passwordFile = join(t.dataDir, 'unused');
    writeFileSync(passwordFile, 'x');
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent?.close(r));
    await t?.close();
  });

  it('fails closed with IAM_LDAP_UNAVAILABLE within the timeout and keeps serving', async () => {
    const started = Date.now();
    const res = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'alice', password: 'whatever-it-is' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'IAM_LDAP_UNAVAILABLE' } });
    // Bounded by the configured timeout, not hung: generous bound for a loaded machine.
    expect(Date.now() - started).toBeLessThan(15_000);
    // The embedded admin still logs in while the directory is unreachable.
    expect(
      (await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: t.adminPassword } }))
        .statusCode,
    ).toBe(200);
  });

  it('fails closed when nothing listens at all', async () => {
    const port = await freePort();
    const dir = new LdapDirectory({
      url: `ldap://127.0.0.1:${port}/`,
      bindDn: 'cn=x',
      bindPassword: 'y',
      userBase: SUFFIX,
      userAttribute: 'uid',
      groupBase: SUFFIX,
      groupMemberAttribute: 'member',
      timeoutMs: 1000,
    });
    await expect(dir.findUser('alice')).rejects.toMatchObject({ code: 'IAM_LDAP_UNAVAILABLE' });
    await expect(dir.checkPassword('uid=alice', 'pw')).rejects.toMatchObject({ code: 'IAM_LDAP_UNAVAILABLE' });
  });
});
