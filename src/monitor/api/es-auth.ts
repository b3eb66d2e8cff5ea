import { createHash } from 'node:crypto';
import { MsecError, type Clock } from '../../core/index.ts';
import type { Iam, Subject } from '../../iam/index.ts';

/**
 * Credentials as Elasticsearch shippers send them, mapped onto msec's:
 * - `ApiKey base64(id:api_key)` (ES clients, Filebeat `api_key: id:key`): msec key `msec_<id>.<api_key>`;
 *   `ApiKey msec_<id>.<secret>` or its base64 is taken as the msec key itself;
 * - `Basic base64(user:password)`: a password login, or an msec API key as the password
 *   (Fluent Bit `HTTP_Passwd`, Logstash `password`);
 * - `Bearer <token>`: as everywhere in msec.
 */
export class EsAuthenticator {
  // Password logins are costly (scrypt): a shipper sends the same credential on every bulk.
  private readonly cache = new Map<string, { token: string; until: number }>();

  constructor(
    private readonly iam: Iam,
    private readonly clock: Clock,
  ) {}

  async authenticate(header: string | undefined): Promise<Subject> {
    if (!header) throw new MsecError('UNAUTHENTICATED', 'authentication required: ApiKey, Basic or Bearer');
    const m = /^(\S+)\s+(\S+)\s*$/.exec(header);
    if (!m) throw new MsecError('UNAUTHENTICATED', 'malformed Authorization header');
    const scheme = m[1]!.toLowerCase();
    const value = m[2]!;
    if (scheme === 'bearer') return this.iam.authenticate(value);
    if (scheme === 'apikey') return this.iam.authenticate(apiKeyCredential(value));
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new MsecError('UNAUTHENTICATED', 'malformed Basic credentials');
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (password.startsWith('msec_')) return this.iam.authenticate(password);
      return this.iam.authenticate(await this.passwordToken(user, password));
    }
    throw new MsecError('UNAUTHENTICATED', `unsupported authorization scheme ${scheme.slice(0, 20)}`);
  }

  private async passwordToken(user: string, password: string): Promise<string> {
    const key = createHash('sha256').update(user).update('\u0000').update(password).digest('base64url');
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.token;
    const { tokens } = await this.iam.passwords.login(user, password);
    // Reuse the access token for most of its life, then log in again.
    this.cache.set(key, { token: tokens.accessToken, until: now + 60_000 });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value as string);
    return tokens.accessToken;
  }
}

/** The msec API key an `ApiKey` value stands for. */
export function apiKeyCredential(value: string): string {
  if (value.startsWith('msec_')) return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (decoded.startsWith('msec_')) return decoded;
  const colon = decoded.indexOf(':');
  if (colon > 0) {
    const id = decoded.slice(0, colon);
    return `${id.startsWith('msec_') ? id : `msec_${id}`}.${decoded.slice(colon + 1)}`;
  }
  return value;
}
