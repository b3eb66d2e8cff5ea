import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generatePlatformKey, silentLogger, systemClock, type Store } from '../../core/index.ts';
import { ledgerMigrations, TransparencyLog } from '../../ledger/index.ts';
import { sqliteCase } from '../../../test/helpers/stores.ts';
import { auditEntryHash, chainAuditHead } from './ledger-audit-heads.ts';
import { ReadingBatcher, readingHash, verifyReadingInBatch } from './ledger-batcher.ts';

const createHashHex = (b: Uint8Array) => readingHash(b).toString('hex');
import { ledgerModuleMigrations } from './ledger-schema.ts';

describe('readings batcher', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let log: TransparencyLog;
  beforeAll(async () => {
    ({ store, cleanup } = await sqliteCase.open([...ledgerMigrations, ...ledgerModuleMigrations]));
    log = await TransparencyLog.open({ store, key: generatePlatformKey() });
  });
  afterAll(() => cleanup());

  const batcher = (l: Pick<TransparencyLog, 'append'>, maxReadings = 1000) =>
    new ReadingBatcher({ log: l as TransparencyLog, store, clock: systemClock, logger: silentLogger(), maxReadings, intervalMs: 3_600_000 });

  it('logs one entry per batch and proves every reading of it, for any batch size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), async (n) => {
        const b = batcher(log);
        const readings = Array.from({ length: n }, () => randomBytes(24));
        readings.forEach((r) => b.add(r));
        const before = log.size;
        await b.flush();
        expect(log.size).toBe(before + 1);
        for (const r of [readings[0]!, readings[n - 1]!]) {
          const proof = await b.proofFor(createHashHex(r));
          expect(proof.entryIndex).toBe(before);
          expect((await log.getEntry(before)).dataHash).toBe(proof.batchRoot);
          verifyReadingInBatch(r, proof);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('keeps the readings when the log append fails and logs them on the next flush', async () => {
    let fail = true;
    const flaky = { append: (e: Parameters<TransparencyLog['append']>[0]) => (fail ? Promise.reject(new Error('down')) : log.append(e)) };
    const b = batcher(flaky);
    const r = randomBytes(24);
    b.add(r);
    await b.flush();
    expect(b.pendingCount).toBe(1);
    await expect(b.proofFor(createHashHex(r))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    fail = false;
    await b.flush();
    expect(b.pendingCount).toBe(0);
    verifyReadingInBatch(r, await b.proofFor(createHashHex(r)));
  });

  it('seals a batch as soon as it is full', async () => {
    const b = batcher(log, 3);
    const before = log.size;
    for (let i = 0; i < 3; i++) b.add(randomBytes(8));
    await b.flush();
    expect(log.size).toBe(before + 1);
    expect(b.pendingCount).toBe(0);
  });
});

describe('audit head chaining', () => {
  const row = { id: 7, at: 1700000000000, actor_id: 'p1', actor_name: 'alice', org_id: 'santander', action: 'vault:record:write', resource: 'record id=x', outcome: 'succeeded', status: 201, ip: '127.0.0.1', request_id: 'r1', detail: null };
  it('hashes rows the same whether bigints come back as numbers (SQLite) or strings (PostgreSQL)', () => {
    expect(auditEntryHash({ ...row, id: '7', at: '1700000000000' as unknown as number })).toEqual(auditEntryHash(row));
  });
  it('changes the head when any entry changes, is reordered or dropped', () => {
    const hs = [auditEntryHash(row), auditEntryHash({ ...row, id: 8 }), auditEntryHash({ ...row, id: 9 })];
    const head = chainAuditHead(Buffer.alloc(32), hs);
    expect(chainAuditHead(Buffer.alloc(32), [hs[0]!, hs[2]!, hs[1]!])).not.toEqual(head);
    expect(chainAuditHead(Buffer.alloc(32), hs.slice(0, 2))).not.toEqual(head);
    expect(chainAuditHead(Buffer.alloc(32), [auditEntryHash({ ...row, outcome: 'denied' }), hs[1]!, hs[2]!])).not.toEqual(head);
    expect(chainAuditHead(chainAuditHead(Buffer.alloc(32), hs.slice(0, 1)), hs.slice(1))).toEqual(head);
  });
});

