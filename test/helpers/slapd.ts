import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';
import { freePort, waitFor } from './net.ts';

export const SUFFIX = 'dc=msec,dc=test';

export interface Slapd {
  url: string;
  port: number;
  dir: string;
  rootDn: string;
  rootPassword: string;
  /** A client bound as the directory's root, for loading and changing entries. */
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

/** A throw-away OpenLDAP (slapd 2.5, mdb) on a free 127.0.0.1 port with its own temp dir. */
export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'msec-slapd-'));
  mkdirSync(join(dir, 'db'));
  const port = await freePort();
  const rootDn = `cn=admin,${SUFFIX}`;
  const rootPassword = randomBytes(18).toString('base64url');
  writeFileSync(
    join(dir, 'slapd.conf'),
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'database mdb',
      'maxsize 16777216',
      `suffix "${SUFFIX}"`,
      `rootdn "${rootDn}"`,
      `rootpw ${rootPassword}`,
      `directory ${join(dir, 'db')}`,
      'access to attrs=userPassword by anonymous auth by * none',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  const url = `ldap://127.0.0.1:${port}/`;
  // -d 0 keeps slapd in the foreground, so it dies with its process group.
  const child: ChildProcess = spawn('slapd', ['-f', join(dir, 'slapd.conf'), '-h', url, '-d', '0'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const admin = async () => {
    const c = new Client({ url, timeout: 10_000, connectTimeout: 10_000 });
    await c.bind(rootDn, rootPassword);
    return c;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
        const c = await admin();
        await c.unbind();
        return true;
      },
      20_000,
      'slapd to accept binds',
    );
  } catch (err) {
    kill();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    url,
    port,
    dir,
    rootDn,
    rootPassword,
    admin,
    stop: async () => {
      kill();
      if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Loads the base, people, groups and a service account; returns the passwords it set. */
export async function loadCityDirectory(
  slapd: Slapd,
  users: Array<{ uid: string; groups: string[] }>,
  groups: string[],
): Promise<{ servicePassword: string; passwords: Record<string, string> }> {
  const c = await slapd.admin();
  try {
    await c.add(SUFFIX, { objectClass: ['dcObject', 'organization'], dc: 'msec', o: 'msec test city' });
    for (const ou of ['people', 'groups', 'services'])
      await c.add(`ou=${ou},${SUFFIX}`, { objectClass: 'organizationalUnit', ou });
    const servicePassword = randomBytes(18).toString('base64url');
    await c.add(`cn=msec,ou=services,${SUFFIX}`, {
      objectClass: ['person'],
      cn: 'msec',
      sn: 'service',
      userPassword: servicePassword,
    });
    const passwords: Record<string, string> = {};
    for (const u of users) {
      passwords[u.uid] = randomBytes(12).toString('base64url');
      await c.add(`uid=${u.uid},ou=people,${SUFFIX}`, {
        objectClass: ['inetOrgPerson'],
        uid: u.uid,
        cn: u.uid,
        sn: u.uid,
        displayName: `${u.uid} of the city`,
        userPassword: passwords[u.uid]!,
      });
    }
    for (const g of groups) {
      const members = users.filter((u) => u.groups.includes(g)).map((u) => `uid=${u.uid},ou=people,${SUFFIX}`);
      // groupOfNames needs a member: the service account keeps a group valid when its last user leaves.
      await c.add(`cn=${g},ou=groups,${SUFFIX}`, {
        objectClass: 'groupOfNames',
        cn: g,
        member: [`cn=msec,ou=services,${SUFFIX}`, ...members],
      });
    }
    return { servicePassword, passwords };
  } finally {
    await c.unbind();
  }
}
