import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const mapping = {
  userBase: 'ou=people,dc=c',
  groupBase: 'ou=groups,dc=c',
  groupRoles: { ops: 'operator' },
  defaultOrg: 'santander',
};

describe('ldap and oidc configuration', () => {
  it('takes the LDAP connection from the environment and the mapping from the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-ldap-'));
    try {
      const file = join(dir, 'msec.json');
      writeFileSync(
        file,
        JSON.stringify({
          ldap: { ...mapping, url: 'ldap://file.example/', bindDn: 'cn=file', bindPasswordFile: '/f' },
        }),
      );
      const c = loadConfig({
        file,
        env: { MSEC_LDAP_URL: 'ldaps://env.example:636/', MSEC_LDAP_BIND_PASSWORD_FILE: '/run/secrets/ldap' },
      });
      expect(c.ldap).toMatchObject({
        url: 'ldaps://env.example:636/',
        bindDn: 'cn=file',
        bindPasswordFile: '/run/secrets/ldap',
        groupRoles: { ops: 'operator' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no ldap or oidc section by default (the embedded directory only)', () => {
    const c = loadConfig({ env: {} });
    expect(c.ldap).toBeUndefined();
    expect(c.oidc).toBeUndefined();
  });

  it('names the offending key of an invalid section', () => {
    expect(() =>
      loadConfig({
        env: { MSEC_LDAP_URL: 'http://not-ldap/' },
        flags: { ldap: { ...mapping, bindDn: 'cn=x', bindPasswordFile: '/f' } },
      }),
    ).toThrow(/ldap\.url/);
    expect(() =>
      loadConfig({
        env: {},
        flags: { ldap: { url: 'ldap://x/', bindDn: 'cn=x', bindPasswordFile: '/f', ...mapping, timeoutMs: 5 } },
      }),
    ).toThrow(/ldap\.timeoutMs/);
    expect(() =>
      loadConfig({
        env: {},
        flags: { oidc: { issuer: 'ftp://x', audience: 'a', claimRoles: {}, defaultOrg: 'santander' } },
      }),
    ).toThrow(/oidc\.issuer/);
  });
});
