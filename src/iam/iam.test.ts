import { describe, it, expect, afterEach } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { ManualClock, generatePlatformKey, MsecError } from '../core/index.ts';
import { storeCases } from '../../test/helpers/stores.ts';
import { Iam } from './iam.ts';
import { iamMigrations } from './schema.ts';

function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof MsecError ? e.code : `unexpected ${String(e)}`),
  );
}

describe.each(storeCases)('IAM on $name', (storeCase) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function setup() {
    const opened = await storeCase.open(iamMigrations);
    cleanup = opened.cleanup;
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const key = generatePlatformKey();
    const iam = new Iam({ store: opened.store, key, clock, auth: { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, lockoutThreshold: 3, lockoutSeconds: 600, passwordHashCost: 10 } });
    await iam.start();
    await iam.directory.createOrg({ id: 'santander', name: 'Santander', kind: 'city' });
    const alice = await iam.directory.createPrincipal({ orgId: 'santander', kind: 'user', name: 'alice', roles: ['operator'], password: 'alice-password-1' });
    return { iam, clock, key, alice, store: opened.store };
  }

  it('logs in, verifies the token, and refuses expired, forged and alg-none tokens', async () => {
    const { iam, clock, alice } = await setup();
    const { tokens } = await iam.passwords.login('alice', 'alice-password-1');
    const s = await iam.authenticate(tokens.accessToken);
    expect(s).toMatchObject({ id: alice.id, org: 'santander', roles: ['operator'], via: 'token' });

    const otherKey = generatePlatformKey();
    const forged = await new SignJWT({ org: 'santander', roles: ['admin'], kind: 'user', name: 'alice' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).setSubject(alice.id).setIssuer('msec').setAudience('msec-api')
      .setJti('x').setIssuedAt(Math.floor(clock.now() / 1000)).setExpirationTime('10m').sign(otherKey.privateKey);
    expect(await codeOf(iam.authenticate(forged))).toBe('TOKEN_INVALID');
    const none = new UnsecuredJWT({ org: 'platform', roles: ['admin'], kind: 'user', name: 'x' }).setSubject(alice.id).setIssuer('msec').setAudience('msec-api').encode();
    expect(await codeOf(iam.authenticate(none))).toBe('TOKEN_INVALID');
    expect(await codeOf(iam.authenticate('not.a.jwt'))).toBe('TOKEN_INVALID');

    clock.advance(901_000);
    expect(await codeOf(iam.authenticate(tokens.accessToken))).toBe('TOKEN_EXPIRED');
  });

  it('locks an account after repeated failures and voids its tokens', async () => {
    const { iam, clock } = await setup();
    const { tokens } = await iam.passwords.login('alice', 'alice-password-1');
    expect(await codeOf(iam.passwords.login('alice', 'wrong-1'))).toBe('INVALID_CREDENTIALS');
    expect(await codeOf(iam.passwords.login('alice', 'wrong-2'))).toBe('INVALID_CREDENTIALS');
    expect(await codeOf(iam.passwords.login('alice', 'wrong-3'))).toBe('INVALID_CREDENTIALS');
    // Locked now: even the right password is refused until the lock expires.
    expect(await codeOf(iam.passwords.login('alice', 'alice-password-1'))).toBe('ACCOUNT_LOCKED');
    expect(await codeOf(iam.authenticate(tokens.accessToken))).toBe('TOKEN_REVOKED');
    clock.advance(601_000);
    expect(await codeOf(iam.passwords.login('alice', 'alice-password-1'))).toBe('ok');
    expect(await codeOf(iam.passwords.login('nobody', 'whatever-pass'))).toBe('INVALID_CREDENTIALS');
  });

  it('rotates refresh tokens and revokes the family when a used one is replayed', async () => {
    const { iam } = await setup();
    const { tokens } = await iam.passwords.login('alice', 'alice-password-1');
    const load = (id: string) => iam.directory.get(id);
    const second = await iam.tokens.rotateRefreshToken(tokens.refreshToken, load);
    expect(second.refreshToken).not.toBe(tokens.refreshToken);
    expect(await codeOf(iam.tokens.rotateRefreshToken(tokens.refreshToken, load))).toBe('TOKEN_REVOKED');
    // The replay burned the whole family, including the newest token.
    expect(await codeOf(iam.tokens.rotateRefreshToken(second.refreshToken, load))).toBe('TOKEN_REVOKED');
  });

  it('authenticates API keys, stores only their hash, and honours revocation', async () => {
    const { iam, alice, store } = await setup();
    const { key, info } = await iam.apiKeys.create(alice.id, 'ingest service');
    expect(await iam.authenticate(key)).toMatchObject({ id: alice.id, via: 'api-key', apiKeyId: info.id });
    const rows = await store.db.withTables<{ iam_api_keys: { secret_hash: string } }>().selectFrom('iam_api_keys').select('secret_hash').execute();
    expect(rows[0]!.secret_hash).not.toContain(key.split('.')[1]!);
    expect(await codeOf(iam.authenticate(key.slice(0, -2) + (key.endsWith('xx') ? 'yy' : 'xx')))).toBe('TOKEN_INVALID');
    await iam.apiKeys.revoke(info.id);
    expect(await codeOf(iam.authenticate(key))).toBe('TOKEN_REVOKED');
  });

  it('refuses a cached API key once its principal is disabled', async () => {
    const { iam, alice } = await setup();
    const { key } = await iam.apiKeys.create(alice.id, 'svc');
    expect(await codeOf(iam.authenticate(key))).toBe('ok');
    expect(await codeOf(iam.authenticate(key))).toBe('ok');
    await iam.disable(alice.id);
    expect(await codeOf(iam.authenticate(key))).toBe('ACCOUNT_DISABLED');
  });

  it('keeps the audit log append-only at the storage level', async () => {
    const { iam, store } = await setup();
    await iam.audit.append({ action: 'iam:org:create', outcome: 'succeeded', actorName: 'cli' });
    await iam.audit.append({ action: 'iam:org:create', outcome: 'denied', actorName: 'mallory' });
    expect((await iam.audit.query({ outcome: 'denied' })).map((e) => e.actorName)).toEqual(['mallory']);
    const db = store.db.withTables<{ iam_audit_log: { outcome: string } }>();
    await expect(db.updateTable('iam_audit_log').set({ outcome: 'succeeded' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('iam_audit_log').execute()).rejects.toThrow(/append-only/);
    expect(await iam.audit.query()).toHaveLength(2);
  });

  it('disabling a principal voids its sessions at once', async () => {
    const { iam, alice } = await setup();
    const { tokens } = await iam.passwords.login('alice', 'alice-password-1');
    await iam.disable(alice.id);
    expect(await codeOf(iam.authenticate(tokens.accessToken))).toBe('TOKEN_REVOKED');
    expect(await codeOf(iam.passwords.login('alice', 'alice-password-1'))).toBe('ACCOUNT_DISABLED');
  });
});
