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
    const iam = new Iam({
      store: opened.store,
      key,
      clock,
      auth: {
        accessTokenTtlSeconds: 900,
        refreshTokenTtlSeconds: 3600,
        lockoutThreshold: 3,
        lockoutSeconds: 600,
        passwordHashCost: 10,
      },
    });
    await iam.start();
    await iam.directory.createOrg({ id: 'santander', name: 'Santander', kind: 'city' });
    const alice = await iam.directory.createPrincipal({
      orgId: 'santander',
      kind: 'user',
      name: 'alice',
      roles: ['operator'],
      password: 'alice-password-1',
    });
    return { iam, clock, key, alice, store: opened.store };
  }

  it('logs in, verifies the token, and refuses expired, forged and alg-none tokens', async () => {
    const { iam, clock, alice } = await setup();
    const { tokens } = await iam.passwords.login('alice', 'alice-password-1');
    const s = await iam.authenticate(tokens.accessToken);
    expect(s).toMatchObject({ id: alice.id, org: 'santander', roles: ['operator'], via: 'token' });

    const otherKey = generatePlatformKey();
    const forged = await new SignJWT({ org: 'santander', roles: ['admin'], kind: 'user', name: 'alice' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setSubject(alice.id)
      .setIssuer('msec')
      .setAudience('msec-api')
      .setJti('x')
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime('10m')
      .sign(otherKey.privateKey);
    expect(await codeOf(iam.authenticate(forged))).toBe('TOKEN_INVALID');
    const none = new UnsecuredJWT({ org: 'platform', roles: ['admin'], kind: 'user', name: 'x' })
      .setSubject(alice.id)
      .setIssuer('msec')
      .setAudience('msec-api')
      .encode();
    expect(await codeOf(iam.authenticate(none))).toBe('TOKEN_INVALID');
    expect(await codeOf(iam.authenticate('not.a.jwt'))).toBe('TOKEN_INVALID');

    clock.advance(901_000);
    expect(await codeOf(iam.authenticate(tokens.accessToken))).toBe('TOKEN_EXPIRED');
  });

  it('throttles failures per (name, source) with growing delays, alike for unknown names, never locking the owner out', async () => {
    const { iam, clock } = await setup();
    const { tokens } = await iam.passwords.login('alice', 'alice-password-1', '10.0.0.1');
    const attacker = '203.0.113.9';
    const answers = async (name: string): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++) out.push(await codeOf(iam.passwords.login(name, `wrong-${i}`, attacker)));
      out.push(await codeOf(iam.passwords.login(name, 'wrong-again', attacker)));
      clock.advance(1000);
      out.push(await codeOf(iam.passwords.login(name, 'wrong-after-1s', attacker)));
      out.push(await codeOf(iam.passwords.login(name, 'too-soon', attacker)));
      clock.advance(1500);
      out.push(await codeOf(iam.passwords.login(name, 'still-too-soon', attacker)));
      clock.advance(600);
      out.push(await codeOf(iam.passwords.login(name, 'after-2s', attacker)));
      return out;
    };
    const existing = await answers('alice');
    // Delays grow: free failures, then 1 s, then 2 s between attempts.
    expect(existing).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'LOGIN_THROTTLED',
      'INVALID_CREDENTIALS',
      'LOGIN_THROTTLED',
      'LOGIN_THROTTLED',
      'INVALID_CREDENTIALS',
    ]);
    // An unknown name gets exactly the same answers: names cannot be enumerated.
    expect(await answers('nobody')).toEqual(existing);
    // The owner, from its own address, is not locked out, and its session holds.
    expect(await codeOf(iam.passwords.login('alice', 'alice-password-1', '10.0.0.1'))).toBe('ok');
    expect(await codeOf(iam.authenticate(tokens.accessToken))).toBe('ok');
    // The attacker's source stays throttled for alice until an admin unlocks the name.
    expect(await codeOf(iam.passwords.login('alice', 'alice-password-1', attacker))).toBe('LOGIN_THROTTLED');
    await iam.unlock((await iam.directory.findByName('alice'))!);
    expect(await codeOf(iam.passwords.login('alice', 'alice-password-1', attacker))).toBe('ok');
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
    const rows = await store.db
      .withTables<{ iam_api_keys: { secret_hash: string } }>()
      .selectFrom('iam_api_keys')
      .select('secret_hash')
      .execute();
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
    await expect(db.updateTable('iam_audit_log').set({ outcome: 'succeeded' }).execute()).rejects.toThrow(
      /append-only/,
    );
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
