import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';
import { MsecError } from '../../core/index.ts';
import { escapeFilterValue } from './escape.ts';

export interface LdapDirectoryOptions {
  url: string;
  bindDn: string;
  bindPassword: string;
  /** PEM text of the CA for LDAPS or StartTLS. */
  ca?: string | undefined;
  startTls?: boolean | undefined;
  userBase: string;
  userAttribute: string;
  groupBase: string;
  groupMemberAttribute: string;
  /** Upper bound for one whole operation (connect, bind, search): the directory being slow fails closed. */
  timeoutMs: number;
}

/** A directory user as msec needs it: where it lives, its name and the cns of its groups. */
export interface LdapUser {
  dn: string;
  name: string;
  displayName: string | null;
  groups: string[];
}

/** A name a directory user may have in msec (the same shape as a local principal's). */
export const LDAP_USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

function first(v: unknown): string | null {
  const x = Array.isArray(v) ? v[0] : v;
  if (typeof x === 'string') return x;
  if (Buffer.isBuffer(x)) return x.toString('utf8');
  return null;
}

/** Reads users and groups from an LDAP directory and checks passwords by binding as the user. */
export class LdapDirectory {
  constructor(private readonly opts: LdapDirectoryOptions) {}

  /** The user and its groups, or undefined when the directory has no such user. */
  async findUser(name: string): Promise<LdapUser | undefined> {
    if (!LDAP_USER_NAME.test(name)) return undefined;
    return this.withClient(true, async (client) => {
      const filter = `(&(objectClass=*)(${this.opts.userAttribute}=${escapeFilterValue(name)}))`;
      const { searchEntries } = await client.search(this.opts.userBase, {
        scope: 'sub',
        filter,
        attributes: [this.opts.userAttribute, 'cn', 'displayName'],
        sizeLimit: 2,
      });
      // Two entries for one name is a directory mistake; refuse rather than guess which one.
      if (searchEntries.length !== 1) return undefined;
      const entry = searchEntries[0]!;
      const groupFilter = `(${this.opts.groupMemberAttribute}=${escapeFilterValue(entry.dn)})`;
      const groups = await client.search(this.opts.groupBase, {
        scope: 'sub',
        filter: groupFilter,
        attributes: ['cn'],
      });
      return {
        dn: entry.dn,
        name,
        displayName: first(entry.displayName) ?? first(entry.cn),
        groups: groups.searchEntries.map((g) => first(g.cn)).filter((cn): cn is string => cn !== null),
      };
    });
  }

  /** True when the directory accepts the password for this DN. An empty password is never tried (it would be an anonymous bind). */
  async checkPassword(dn: string, password: string): Promise<boolean> {
    if (password.length === 0) return false;
    return this.withClient(false, async (client) => {
      try {
        await client.bind(dn, password);
        return true;
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return false;
        throw err;
      }
    });
  }

  /** Runs fn on a fresh connection (service-bound when asked) under the overall timeout. */
  private async withClient<T>(serviceBind: boolean, fn: (client: Client) => Promise<T>): Promise<T> {
    const tlsOptions: ConnectionOptions = { ...(this.opts.ca ? { ca: this.opts.ca } : {}), minVersion: 'TLSv1.2' };
    // ldapts opens TLS at connect whenever tlsOptions is set: only for ldaps://; StartTLS gets them later.
    const ldaps = this.opts.url.startsWith('ldaps://');
    const client = new Client({
      url: this.opts.url,
      timeout: this.opts.timeoutMs,
      connectTimeout: this.opts.timeoutMs,
      ...(ldaps ? { tlsOptions } : {}),
      strictDN: true,
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new MsecError('IAM_LDAP_UNAVAILABLE', `the LDAP directory did not answer within ${this.opts.timeoutMs} ms`),
          ),
        this.opts.timeoutMs,
      );
    });
    const work = (async () => {
      if (this.opts.startTls) await client.startTLS(tlsOptions);
      if (serviceBind) await client.bind(this.opts.bindDn, this.opts.bindPassword);
      return fn(client);
    })();
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      if (err instanceof MsecError) throw err;
      if (err instanceof InvalidCredentialsError)
        throw new MsecError(
          'IAM_LDAP_UNAVAILABLE',
          'the LDAP directory refused the service bind (check the bind DN and password file)',
        );
      throw new MsecError('IAM_LDAP_UNAVAILABLE', `the LDAP directory is unavailable: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
      client.unbind().catch(() => undefined);
    }
  }
}
