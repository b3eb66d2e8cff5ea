import { readFileSync } from 'node:fs';
import { MsecError, type Config, type PlatformModule } from '../../core/index.ts';
import { IAM } from '../service.ts';
import { LdapBackend } from './backend.ts';
import { LdapDirectory } from './directory.ts';
import { GroupMapping } from './mapping.ts';
import { ldapMigrations } from './schema.ts';

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new MsecError(
      'IAM_LDAP_CONFIG_INVALID',
      `cannot read the LDAP ${what} file ${path}: ${(err as Error).message}`,
    );
  }
}

/** Builds the directory client from the `ldap` configuration section. */
export function ldapDirectoryFrom(config: NonNullable<Config['ldap']>): LdapDirectory {
  return new LdapDirectory({
    url: config.url,
    bindDn: config.bindDn,
    // A trailing newline from `echo secret > file` is not part of the password.
    bindPassword: readSecretFile(config.bindPasswordFile, 'bind password').replace(/\r?\n$/, ''),
    ca: config.caFile ? readSecretFile(config.caFile, 'CA') : undefined,
    startTls: config.startTls,
    userBase: config.userBase,
    userAttribute: config.userAttribute ?? 'uid',
    groupBase: config.groupBase,
    groupMemberAttribute: config.groupMemberAttribute ?? 'member',
    timeoutMs: config.timeoutMs ?? 3000,
  });
}

/** The LDAP directory back end: logins through /api/v1/auth/login, roles re-read from groups per request. */
export function ldapModule(): PlatformModule & { backend(): LdapBackend } {
  let backend: LdapBackend | undefined;
  return {
    name: 'iam-ldap',
    needs: [IAM],
    migrations: ldapMigrations,
    async start(ctx) {
      const config = ctx.config.ldap;
      if (!config)
        throw new MsecError(
          'IAM_LDAP_CONFIG_INVALID',
          'the iam-ldap module runs only with an ldap configuration section',
        );
      const iam = ctx.services.get(IAM);
      backend = new LdapBackend({
        ldap: ldapDirectoryFrom(config),
        mapping: new GroupMapping(config),
        directory: iam.directory,
        tokens: iam.tokens,
        store: ctx.store,
        clock: ctx.clock,
        cacheTtlMs: (config.cacheTtlSeconds ?? 60) * 1000,
      });
      const b = backend;
      iam.passwords.addBackend(b);
      iam.addAuthenticator((credential) => b.authenticate(credential));
    },
    backend() {
      if (!backend) throw new Error('the iam-ldap module has not started');
      return backend;
    },
  };
}
