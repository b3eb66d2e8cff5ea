import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, systemClock } from '../../core/index.ts';
import { openSqliteStore } from '../../core/storage/sqlite.ts';
import { postgresCase, sqliteCase } from '../../../test/helpers/stores.ts';
import { AgreementStore } from './agreements.ts';
import type { FederationTables } from './schema.ts';
import { federationMigrations } from './schema.ts';
import { federationKeyPath, SecretBox } from './secret-box.ts';

const CREDENTIAL = 'msec_k_partner-issued-api-key-0123456789';
const partnerKey = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'msec-fed-secrets-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function seed(agreements: AgreementStore): Promise<{ credential: string | null; secret: string | null }> {
  await agreements.create({
    id: 'exp-1',
    direction: 'export',
    localOrg: 'santander',
    partner: 'fujisawa',
    resources: ['*'],
    decimals: null,
    pseudonymise: true,
    keepSignatures: false,
    validUntil: Date.now() + 60_000,
    endpoint: 'http://127.0.0.1:1',
    credential: CREDENTIAL,
    partnerKey,
    principalId: null,
  });
  return agreements.secrets('exp-1');
}

describe.each([sqliteCase, postgresCase])('federation secrets at rest ($name)', (c) => {
  it('stores the partner credential and the HMAC secret sealed; only this data directory’s key opens them', async () => {
    const { store, cleanup } = await c.open(federationMigrations);
    try {
      const dataDir = tempDir();
      const secrets = await seed(new AgreementStore(store, systemClock, SecretBox.forDataDir(dataDir)));
      expect(secrets.credential).toBe(CREDENTIAL);
      expect(secrets.secret).toMatch(/^[\w-]{32,}$/);

      const rows = await (store.db.withTables<FederationTables>() as Kysely<FederationTables>)
        .selectFrom('hub_fed_agreements')
        .selectAll()
        .execute();
      const raw = JSON.stringify(rows);
      expect(raw).not.toContain(CREDENTIAL);
      expect(raw).not.toContain(secrets.secret);
      expect(rows[0]!.credential).toMatch(/^enc1:/);
      expect(rows[0]!.secret).toMatch(/^enc1:/);
      expect(statSync(federationKeyPath(dataDir)).mode & 0o777).toBe(0o600);

      // Another data directory's key cannot open them: a clear error, not garbage.
      const elsewhere = new AgreementStore(store, systemClock, SecretBox.forDataDir(tempDir()));
      await expect(elsewhere.secrets('exp-1')).rejects.toMatchObject({ code: 'FEDERATION_SECRET_UNREADABLE' });
    } finally {
      await cleanup();
    }
  });
});

describe('federation secrets at rest (SQLite files on disk)', () => {
  it('the database files never hold the secrets in clear; the key is created once and reused', async () => {
    const dataDir = tempDir();
    const store = openSqliteStore({ filename: join(dataDir, 'msec.db') });
    await migrate(store, federationMigrations);
    const box = SecretBox.forDataDir(dataDir);
    const secrets = await seed(new AgreementStore(store, systemClock, box));
    const keyFile = readFileSync(federationKeyPath(dataDir), 'utf8');
    // A second box over the same directory reads the same key.
    expect(await new AgreementStore(store, systemClock, SecretBox.forDataDir(dataDir)).secrets('exp-1')).toEqual(
      secrets,
    );
    expect(readFileSync(federationKeyPath(dataDir), 'utf8')).toBe(keyFile);
    await store.close();
    for (const f of readdirSync(dataDir).filter((n) => n.startsWith('msec.db'))) {
      const bytes = readFileSync(join(dataDir, f));
      expect(bytes.includes(Buffer.from(CREDENTIAL))).toBe(false);
      expect(bytes.includes(Buffer.from(secrets.secret!))).toBe(false);
    }
  });

  it('refuses a sealed value moved to another row or column, and reads values stored before encryption', () => {
    const box = SecretBox.forDataDir(tempDir());
    const sealed = box.seal('s3cret', 'a/credential');
    expect(box.open(sealed, 'a/credential')).toBe('s3cret');
    expect(() => box.open(sealed, 'b/credential')).toThrow(/does not decrypt/);
    expect(() => box.open(sealed, 'a/secret')).toThrow(/does not decrypt/);
    // One character inside the authentication tag changed (never the last, whose low bits base64 may not use).
    const at = sealed.length - 5;
    const flipped = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(flipped).not.toBe(sealed);
    expect(() => box.open(flipped, 'a/credential')).toThrow(/does not decrypt/);
    expect(box.open('legacy-plain-value', 'a/credential')).toBe('legacy-plain-value');
  });
});
