import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MsecError, newId, newSecret, type Clock, type Store } from '../../core/index.ts';
import type { PrincipalDirectory } from '../principals.ts';
import type { Role } from '../roles.ts';
import type { OAuthTables } from './schema.ts';

/** A scope is a policy action pattern (`iam:audit:read`, `monitor:alert:*`). */
export const SCOPE = /^[a-z*][a-z0-9*-]*(:[a-z0-9*-]+){0,3}$/;

export interface OAuthClient {
  clientId: string;
  principalId: string;
  scopes: string[];
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Registration and authentication of machine clients (the secret is random, so one SHA-256 suffices). */
export class OAuthClients {
  private readonly db: Kysely<OAuthTables>;

  constructor(
    store: Store,
    private readonly directory: PrincipalDirectory,
    private readonly clock: Clock,
  ) {
    this.db = store.db.withTables<OAuthTables>();
  }

  async register(input: {
    name: string;
    orgId: string;
    roles: Role[];
    scopes: string[];
  }): Promise<OAuthClient & { clientSecret: string }> {
    const bad = input.scopes.find((s) => !SCOPE.test(s));
    if (bad !== undefined || input.scopes.length === 0)
      throw new MsecError('VALIDATION_FAILED', `scopes must be policy action patterns; got ${bad ?? 'none'}`);
    const principal = await this.directory.createPrincipal({
      orgId: input.orgId,
      kind: 'service',
      name: input.name,
      roles: input.roles,
    });
    const clientId = newId('oc');
    const clientSecret = newSecret(32);
    await this.db
      .insertInto('iam_oauth_clients')
      .values({
        client_id: clientId,
        secret_hash: sha256(clientSecret).toString('hex'),
        principal_id: principal.id,
        scopes: JSON.stringify(input.scopes),
        created_at: this.clock.now(),
        revoked_at: null,
      })
      .execute();
    return { clientId, clientSecret, principalId: principal.id, scopes: input.scopes };
  }

  /** The client when id and secret match and it is not revoked; otherwise undefined. */
  async authenticate(clientId: string, secret: string): Promise<OAuthClient | undefined> {
    const row = await this.db
      .selectFrom('iam_oauth_clients')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    const given = sha256(secret);
    const stored = row ? Buffer.from(row.secret_hash, 'hex') : sha256('no such client');
    if (!timingSafeEqual(given, stored) || !row || row.revoked_at !== null) return undefined;
    return { clientId: row.client_id, principalId: row.principal_id, scopes: JSON.parse(row.scopes) as string[] };
  }
}
