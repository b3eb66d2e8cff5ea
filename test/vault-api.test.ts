import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { iamMigrations } from '../src/iam/index.ts';
import { LEDGER_LOG, ledgerModule } from '../src/ledger/index.ts';
import {
  b64urlDecode,
  b64urlEncode,
  decryptRecord,
  generateVaultKeyPair,
  unwrapDataKey,
  VaultClient,
  vaultModule,
  verifyHashInLog,
  type VaultKeyPair,
  type VaultTables,
} from '../src/vault/index.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { storeCases } from './helpers/stores.ts';

const te = new TextEncoder();
const td = new TextDecoder();

interface Person {
  id: string;
  token: string;
  keys: VaultKeyPair;
  client: VaultClient;
}

describe.each(storeCases)('vault over HTTP on $name', (storeCase) => {
  let t: TestPlatform;
  let cleanup: () => Promise<void>;
  let alice: Person, bob: Person, eve: Person, admin: Person;
  let recordId: string;
  let firstHash: string;
  let firstIndex: number;

  async function person(name: string, org: string, role: string): Promise<Person> {
    const adminToken = await t.adminToken();
    const made = await t.request('POST', '/api/v1/principals', {
      token: adminToken,
      body: { org, kind: 'user', name, roles: [role], password: `${name}-password-123` },
    });
    expect(made.statusCode).toBe(201);
    const token = await t.login(name, `${name}-password-123`);
    return enrol(made.json().id as string, token);
  }
  async function enrol(id: string, token: string): Promise<Person> {
    const keys = await generateVaultKeyPair();
    const client = new VaultClient({ baseUrl: t.platform.url, token });
    expect(await client.registerKey(keys)).toMatchObject({ principalId: id, kid: keys.kid });
    return { id, token, keys, client };
  }

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    cleanup = opened.cleanup;
    t = await startTestPlatform({ store: opened.store, modules: [ledgerModule(), vaultModule()], listen: true });
    const adminToken = await t.adminToken();
    for (const id of ['santander', 'fujisawa'])
      await t.request('POST', '/api/v1/orgs', { token: adminToken, body: { id, name: id, kind: 'city' } });
    alice = await person('alice', 'santander', 'consumer');
    bob = await person('bob', 'fujisawa', 'provider');
    eve = await person('eve', 'santander', 'consumer');
    const me = (await t.request('GET', '/api/v1/me', { token: adminToken })).json().principal.id as string;
    admin = await enrol(me, adminToken);
  });
  afterAll(async () => {
    await t.close();
    await cleanup();
  });

  const denied = async (p: Person, id: string, code = 'VAULT_NO_GRANT') => {
    await expect(p.client.get(id, p.keys)).rejects.toMatchObject({
      code,
      status: { VAULT_ERASED: 410, VAULT_NOT_FOUND: 404 }[code] ?? 403,
    });
  };

  it('stores only ciphertext; the owner reads it back with a verified ledger proof', async () => {
    const put = await alice.client.put(te.encode('{"diagnosis":"asthma"}'), alice.keys);
    ({ id: recordId, hash: firstHash, ledgerIndex: firstIndex } = put);
    expect(put.version).toBe(1);
    const rows = await t.platform.ctx.store.db
      .withTables<VaultTables>()
      .selectFrom('vault_versions')
      .selectAll()
      .where('record_id', '=', recordId)
      .execute();
    expect(Buffer.from(rows[0]!.ciphertext!).toString('latin1')).not.toContain('asthma');
    const got = await alice.client.get(recordId, alice.keys);
    expect(td.decode(got.plaintext)).toBe('{"diagnosis":"asthma"}');
    expect(got.entry).toMatchObject({ index: firstIndex, kind: 'vault.record', dataHash: firstHash });
  });

  it('refuses everyone else, administrators included: 403 VAULT_NO_GRANT (404 for another organisation)', async () => {
    await denied(bob, recordId, 'VAULT_NOT_FOUND');
    await denied(eve, recordId);
    await denied(admin, recordId);
    const raw = await t.request('GET', `/api/v1/vault/records/${recordId}`, { token: eve.token });
    expect(raw.statusCode).toBe(403);
    expect(raw.json().error.code).toBe('VAULT_NO_GRANT');
  });

  it('runs request -> approve: the approved reader decrypts, others still cannot; non-owners cannot share or write', async () => {
    const req = await bob.client.requestAccess(recordId, 'treating physician');
    expect(req.status).toBe('pending');
    await expect(bob.client.requestAccess(recordId)).rejects.toMatchObject({ code: 'CONFLICT' });
    const pending = await alice.client.requests('owner', 'pending');
    expect(pending.map((r) => [r.requesterId, r.recordId])).toEqual([[bob.id, recordId]]);
    expect(await alice.client.grant(recordId, bob.id, alice.keys)).toMatchObject({ versions: [1] });
    expect(td.decode((await bob.client.get(recordId, bob.keys)).plaintext)).toBe('{"diagnosis":"asthma"}');
    expect((await bob.client.requests('requester'))[0]).toMatchObject({ status: 'approved' });
    await denied(eve, recordId);
    await expect(bob.client.grant(recordId, eve.id, bob.keys)).rejects.toMatchObject({ status: 403 });
    await expect(bob.client.put(te.encode('forged'), bob.keys, recordId)).rejects.toMatchObject({ status: 403 });
  });

  it('a tampered ciphertext fails the proof and the GCM tag (VAULT_DECRYPT_FAILED)', async () => {
    const res = await bob.client.fetchRecord(recordId);
    const ct = b64urlDecode(res.record.ciphertext, 'ct');
    ct[3]! ^= 0x40;
    const tampered = { ...res, record: { ...res.record, ciphertext: b64urlEncode(ct) } };
    await expect(bob.client.open(tampered, bob.keys)).rejects.toMatchObject({ code: 'VAULT_PROOF_INVALID' });
    const dk = await unwrapDataKey(res.wrappedKey, bob.keys.privateKey, { recordId, version: res.version });
    await expect(
      decryptRecord(tampered.record, dk, { recordId, version: res.version, ownerId: res.ownerId }),
    ).rejects.toMatchObject({ code: 'VAULT_DECRYPT_FAILED' });
    await expect(
      unwrapDataKey(res.wrappedKey, eve.keys.privateKey, { recordId, version: res.version }),
    ).rejects.toMatchObject({ code: 'VAULT_DECRYPT_FAILED' });
  });

  it('after revocation the reader cannot read, and the next version is under a key they never get', async () => {
    const v2 = await alice.client.put(te.encode('v2: granted bob'), alice.keys, recordId);
    expect(v2.version).toBe(2);
    const bobsV2 = await bob.client.fetchRecord(recordId);
    expect(td.decode((await bob.client.open(bobsV2, bob.keys)).plaintext)).toBe('v2: granted bob');
    expect(await alice.client.revoke(recordId, bob.id)).toMatchObject({ destroyedKeys: 2 });
    await denied(bob, recordId, 'VAULT_NOT_FOUND');
    const v3 = await alice.client.put(te.encode('v3: after revocation'), alice.keys, recordId);
    expect(v3.version).toBe(3);
    await denied(bob, recordId, 'VAULT_NOT_FOUND');
    // Even with the v2 key he kept, v3 does not open: fresh data key per version.
    const v3res = await alice.client.fetchRecord(recordId);
    const oldKey = await unwrapDataKey(bobsV2.wrappedKey, bob.keys.privateKey, { recordId, version: 2 });
    await expect(
      decryptRecord(v3res.record, oldKey, { recordId, version: 3, ownerId: alice.id }),
    ).rejects.toMatchObject({ code: 'VAULT_DECRYPT_FAILED' });
    const wrappedFor = await t.platform.ctx.store.db
      .withTables<VaultTables>()
      .selectFrom('vault_wrapped_keys')
      .select('principal_id')
      .where('record_id', '=', recordId)
      .where('version', '=', 3)
      .execute();
    expect(wrappedFor.map((r) => r.principal_id)).toEqual([alice.id]);
    expect(td.decode((await alice.client.get(recordId, alice.keys, 1)).plaintext)).toBe('{"diagnosis":"asthma"}');
  });

  it('audits every workflow step and every read', async () => {
    const audit = await t.platform.ctx.iam.audit.query({ limit: 1000 });
    const steps = audit.filter((e) => e.resource?.includes(recordId)).map((e) => `${e.action}:${e.outcome}`);
    for (const s of [
      'vault:request:create:succeeded',
      'vault:record:grant:succeeded',
      'vault:record:revoke:succeeded',
      'vault:record:write:succeeded',
      'vault:record:read:succeeded',
      'vault:record:read:denied',
    ]) {
      expect(steps).toContain(s);
    }
    const grant = audit.find((e) => e.action === 'vault:record:grant' && e.outcome === 'succeeded');
    expect(grant?.detail).toMatchObject({ step: 'approve', reader: bob.id });
  });

  it('erasure destroys every key and ciphertext; nobody can decrypt; the inclusion proof still verifies', async () => {
    const other = await alice.client.put(te.encode('kept'), alice.keys);
    const tomb = await alice.client.erase(recordId);
    expect(tomb.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(tomb.versions[0]).toEqual({ version: 1, hash: firstHash, ledgerIndex: firstIndex });
    await denied(alice, recordId, 'VAULT_ERASED');
    await denied(bob, recordId, 'VAULT_NOT_FOUND');
    await denied(admin, recordId);
    const db = t.platform.ctx.store.db.withTables<VaultTables>();
    expect(
      await db.selectFrom('vault_wrapped_keys').select('principal_id').where('record_id', '=', recordId).execute(),
    ).toEqual([]);
    const versions = await db
      .selectFrom('vault_versions')
      .select(['iv', 'ciphertext'])
      .where('record_id', '=', recordId)
      .execute();
    expect(versions.every((v) => v.iv === null && v.ciphertext === null)).toBe(true);
    const proof = await alice.client.proof(recordId, 1);
    expect(proof).toMatchObject({ erased: true, hash: firstHash });
    const logKey = t.platform.ctx.platformKey.publicKey;
    expect(verifyHashInLog(firstHash, proof.ledger, logKey).entry.index).toBe(firstIndex);
    expect(() => verifyHashInLog('0'.repeat(64), proof.ledger, logKey)).toThrow(
      expect.objectContaining({ code: 'VAULT_PROOF_INVALID' }),
    );
    const viaLedger = await t.request('GET', `/api/v1/ledger/proofs/inclusion?index=${firstIndex}`, {
      token: admin.token,
    });
    expect(verifyHashInLog(firstHash, viaLedger.json(), logKey).entry.kind).toBe('vault.record');
    await expect(alice.client.put(te.encode('again'), alice.keys, recordId)).rejects.toMatchObject({
      code: 'VAULT_ERASED',
    });
    await expect(bob.client.requestAccess(recordId)).rejects.toMatchObject({ code: 'VAULT_ERASED' });
    expect(td.decode((await alice.client.get(other.id, alice.keys)).plaintext)).toBe('kept');
  });

  it('refuses bad envelopes, wrong versions, foreign keys and unknown records with stable codes', async () => {
    const good = await alice.client.fetchRecord((await alice.client.put(te.encode('base'), alice.keys)).id);
    const key = { principalId: alice.id, wrapped: good.wrappedKey };
    const url = `/api/v1/vault/records/${good.id}`;
    const cases: Array<[unknown, number, string]> = [
      [{ version: 2, record: { ...good.record, iv: 'AAAA' }, keys: [key] }, 400, 'VAULT_BAD_ENVELOPE'],
      [
        {
          version: 2,
          record: good.record,
          keys: [{ principalId: alice.id, wrapped: { ...good.wrappedKey, alg: 'none' } }],
        },
        400,
        'VAULT_BAD_ENVELOPE',
      ],
      [{ version: 5, record: good.record, keys: [key] }, 409, 'CONFLICT'],
      [
        { version: 2, record: good.record, keys: [{ principalId: bob.id, wrapped: good.wrappedKey }] },
        400,
        'VAULT_BAD_ENVELOPE',
      ],
      [
        {
          version: 2,
          record: good.record,
          keys: [key, { principalId: eve.id, wrapped: { ...good.wrappedKey, kid: eve.keys.kid } }],
        },
        403,
        'VAULT_NO_GRANT',
      ],
      [{ version: 2, record: good.record, keys: [] }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const r = await t.request('PUT', url, { token: alice.token, body });
      expect(r.statusCode, JSON.stringify(r.json())).toBe(status);
      expect(r.json().error.code).toBe(code);
    }
    const missing = await t.request('GET', '/api/v1/vault/records/rec_AAAAAAAAAAAAAAAAAAAAAA', { token: alice.token });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'VAULT_NOT_FOUND']);
    const badId = await t.request('PUT', '/api/v1/vault/records/../etc', {
      token: alice.token,
      body: { version: 1, record: good.record, keys: [key] },
    });
    expect(badId.statusCode).toBeLessThan(500);
    const badKey = await t.request('PUT', '/api/v1/vault/keys/me', {
      token: eve.token,
      body: { publicKey: { kty: 'EC', crv: 'P-256', x: eve.keys.publicJwk.x, y: eve.keys.publicJwk.x } },
    });
    expect([badKey.statusCode, badKey.json().error.code]).toEqual([400, 'VAULT_BAD_ENVELOPE']);
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (body) => {
        const r = await t.request('PUT', url, { token: alice.token, rawBody: JSON.stringify(body) ?? 'null' });
        expect(r.statusCode).toBeGreaterThanOrEqual(400);
        expect(r.statusCode).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
    expect((await alice.client.fetchRecord(good.id)).latestVersion).toBe(1);
  });

  it('fails the put, storing nothing, when the ledger append fails', async () => {
    const log = t.platform.ctx.services.get(LEDGER_LOG);
    const original = log.append.bind(log);
    log.append = () => Promise.reject(new Error('disk full'));
    try {
      await expect(alice.client.put(te.encode('never acknowledged'), alice.keys)).rejects.toMatchObject({
        status: 500,
      });
    } finally {
      log.append = original;
    }
    const db = t.platform.ctx.store.db.withTables<VaultTables>();
    const mine = await db.selectFrom('vault_records').select('id').where('owner_id', '=', alice.id).execute();
    expect(mine.length).toBe(3); // the erased record, 'kept' and 'base'
  });
});
