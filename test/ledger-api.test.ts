import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iamMigrations, type IamTables } from '../src/iam/index.ts';
import { auditEntryHash, auditHeadsModule, chainAuditHead } from '../src/iam/index.ts';
import {
  LEDGER_LOG,
  TransparencyLog,
  ledgerModule,
  readingHash,
  verifyCheckpoint,
  verifyConsistency,
  verifyProofBundle,
  verifyReadingInBatch,
  type ReadingProof,
} from '../src/ledger/index.ts';
import { memoryOutboxModule } from './helpers/outbox.ts';
import { startTestPlatform, type TestPlatform } from './helpers/platform.ts';
import { storeCases } from './helpers/stores.ts';

describe.each(storeCases)('ledger module and REST API on $name', (storeCase) => {
  let t: TestPlatform;
  let cleanup: () => Promise<void>;
  let admin: string;
  let consumer: string;
  const mod = ledgerModule({ batchMaxReadings: 3, batchIntervalMs: 3_600_000 });
  const heads = auditHeadsModule({ intervalMs: 3_600_000 });
  const outbox = memoryOutboxModule();
  const readings = Array.from({ length: 5 }, () => randomBytes(40 + Math.floor(Math.random() * 40)));

  beforeAll(async () => {
    const opened = await storeCase.open(iamMigrations);
    cleanup = opened.cleanup;
    t = await startTestPlatform({ store: opened.store, modules: [mod, heads, outbox] });
    admin = await t.adminToken();
    await t.request('POST', '/api/v1/orgs', {
      token: admin,
      body: { id: 'santander', name: 'Santander', kind: 'city' },
    });
    const made = await t.request('POST', '/api/v1/principals', {
      token: admin,
      body: { org: 'santander', kind: 'user', name: 'citizen', roles: ['consumer'], password: 'citizen-password-1' },
    });
    expect(made.statusCode).toBe(201);
    consumer = await t.login('citizen', 'citizen-password-1');
    for (const cose of readings) outbox.add(cose);
    await mod.consumer()!.round();
  });
  afterAll(async () => {
    await t.close();
    await cleanup();
  });

  const pub = () => t.platform.ctx.platformKey.publicKey;

  it('serves the signed checkpoint publicly, and it verifies under the platform key', async () => {
    const res = await t.request('GET', '/api/v1/ledger/checkpoint');
    expect(res.statusCode).toBe(200);
    const head = verifyCheckpoint(res.json().note, pub());
    expect(head.size).toBe(2); // two batches: 3 readings (a full batch) + the other 2
    const key = await t.request('GET', '/api/v1/ledger/public-key');
    expect(key.json().publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });

  it('proves a single hub reading through its batch and the batch entry', async () => {
    for (const cose of [readings[0]!, readings[4]!]) {
      const res = await t.request('GET', `/api/v1/ledger/readings/${readingHash(cose).toString('hex')}/proof`, {
        token: admin,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { reading: ReadingProof; entry: unknown; proof: unknown; checkpoint: unknown };
      verifyReadingInBatch(cose, body.reading);
      const { entry } = verifyProofBundle(body, pub());
      expect(entry.kind).toBe('hub.readings-batch');
      expect(entry.dataHash).toBe(body.reading.batchRoot);
      expect(() => verifyReadingInBatch(randomBytes(40), body.reading)).toThrow(/does not hash/);
      const forged = { ...body.reading, position: (body.reading.position + 1) % body.reading.batchSize };
      expect(() => verifyReadingInBatch(cose, forged)).toThrow();
    }
    const unknown = await t.request('GET', `/api/v1/ledger/readings/${'ab'.repeat(32)}/proof`, { token: admin });
    expect(unknown.statusCode).toBe(404);
  });

  it('serves inclusion and consistency proofs that verify, and a tampered one that does not', async () => {
    const inc = await t.request('GET', '/api/v1/ledger/proofs/inclusion?index=0&treeSize=2', { token: admin });
    expect(inc.statusCode).toBe(200);
    const bundle = inc.json() as { entry: { dataHash: string }; proof: unknown; checkpoint: unknown };
    expect(verifyProofBundle(bundle, pub()).entry.index).toBe(0);
    const tampered = { ...bundle, entry: { ...bundle.entry, dataHash: 'f'.repeat(64) } };
    expect(() => verifyProofBundle(tampered, pub())).toThrow(expect.objectContaining({ code: 'LEDGER_PROOF_INVALID' }));

    const con = await t.request('GET', '/api/v1/ledger/proofs/consistency?from=1&to=2', { token: admin });
    expect(con.statusCode).toBe(200);
    const c = con.json() as { hashes: string[]; oldCheckpoint: { note: string }; newCheckpoint: { note: string } };
    const [oldHead, newHead] = [
      verifyCheckpoint(c.oldCheckpoint.note, pub()),
      verifyCheckpoint(c.newCheckpoint.note, pub()),
    ];
    expect(() =>
      verifyConsistency(
        1,
        2,
        c.hashes.map((h) => Buffer.from(h, 'base64')),
        oldHead.root,
        newHead.root,
      ),
    ).not.toThrow();
  });

  it('refuses bad indexes and sizes with stable codes', async () => {
    const cases: Array<[string, number, string]> = [
      ['/api/v1/ledger/entries/99', 404, 'LEDGER_INDEX_OUT_OF_RANGE'],
      ['/api/v1/ledger/entries/-1', 400, 'VALIDATION_FAILED'],
      ['/api/v1/ledger/entries/abc', 400, 'VALIDATION_FAILED'],
      ['/api/v1/ledger/proofs/inclusion?index=0&treeSize=999', 400, 'LEDGER_SIZE_INVALID'],
      ['/api/v1/ledger/proofs/inclusion?index=5&treeSize=2', 404, 'LEDGER_INDEX_OUT_OF_RANGE'],
      ['/api/v1/ledger/proofs/consistency?from=2&to=1', 400, 'LEDGER_SIZE_INVALID'],
      ['/api/v1/ledger/proofs/inclusion?index=0&junk=1', 400, 'VALIDATION_FAILED'],
    ];
    for (const [url, status, code] of cases) {
      const r = await t.request('GET', url, { token: admin });
      expect(r.statusCode, url).toBe(status);
      expect(r.json().error.code, url).toBe(code);
    }
  });

  it('lets operators/analysts/admins read entries, not consumers nor anonymous callers', async () => {
    expect((await t.request('GET', '/api/v1/ledger/entries/0', { token: admin })).json()).toMatchObject({
      index: 0,
      kind: 'hub.readings-batch',
    });
    expect((await t.request('GET', '/api/v1/ledger/entries/0', { token: consumer })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/ledger/entries/0')).statusCode).toBe(401);
    expect((await t.request('GET', '/api/v1/ledger/anchors', { token: consumer })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/ledger/anchors', { token: admin })).json()).toEqual({
      latestSize: null,
      items: [],
    });
  });

  it('logs audit heads that anyone holding the audit rows can recompute', async () => {
    const first = await heads.heads().appendHead();
    expect(first).toBeDefined();
    const rows = await t.platform.ctx.store.db
      .withTables<IamTables>()
      .selectFrom('iam_audit_log')
      .selectAll()
      .orderBy('id', 'asc')
      .execute();
    const covered = rows.filter((r) => Number(r.id) <= first!.lastAuditId);
    expect(covered.length).toBe(first!.count);
    const head = chainAuditHead(
      Buffer.alloc(32),
      covered.map((r) => auditEntryHash(r)),
    );
    const entry = (await t.request('GET', `/api/v1/ledger/entries/${first!.index}`, { token: admin })).json();
    expect(entry).toMatchObject({ kind: 'audit.head', dataHash: head.toString('hex') });
    // Nothing new audited (reads are not): no new head.
    expect(await heads.heads().appendHead()).toBeUndefined();
  });

  it('flushes the pending batch at stop, so accepted readings are never dropped', async () => {
    const before = t.platform.ctx.services.get(LEDGER_LOG).size;
    outbox.add(randomBytes(32));
    expect(t.platform.ctx.services.get(LEDGER_LOG).size).toBe(before);
    await mod.stop!();
    const reopened = await TransparencyLog.open({ store: t.platform.ctx.store, key: t.platform.ctx.platformKey });
    expect(reopened.size).toBeGreaterThanOrEqual(before + 1);
    const kinds = await Promise.all(
      Array.from({ length: reopened.size - before }, (_, i) => reopened.getEntry(before + i).then((e) => e.kind)),
    );
    expect(kinds).toContain('hub.readings-batch');
  });
});
