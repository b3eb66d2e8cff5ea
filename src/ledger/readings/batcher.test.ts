import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generatePlatformKey, silentLogger, systemClock, type StoredReadingRef, type Store } from '../../core/index.ts';
import { sqliteCase } from '../../../test/helpers/stores.ts';
import { TransparencyLog } from '../log.ts';
import { ledgerMigrations } from '../schema.ts';
import { ReadingBatcher, readingHash, verifyReadingInBatch } from './batcher.ts';
import { OutboxConsumer } from './consumer.ts';
import { ledgerModuleMigrations } from './schema.ts';

const createHashHex = (b: Uint8Array) => readingHash(b).toString('hex');

describe('readings batcher', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let log: TransparencyLog;
  beforeAll(async () => {
    ({ store, cleanup } = await sqliteCase.open([...ledgerMigrations, ...ledgerModuleMigrations]));
    log = await TransparencyLog.open({ store, key: generatePlatformKey() });
  });
  afterAll(() => cleanup());
  let seq = 0;

  const batcher = (l: Pick<TransparencyLog, 'append'>) =>
    new ReadingBatcher({ log: l as TransparencyLog, store, clock: systemClock });
  /** An outbox over a growing list, with a consumer draining it into batches of at most `max`. */
  const fixture = (l: Pick<TransparencyLog, 'append'>, max = 1000) => {
    const items: StoredReadingRef[] = [];
    const b = batcher(l);
    const outbox = {
      settleMs: 0,
      readAfter: async (after: number, limit: number) => items.filter((i) => i.seq > after).slice(0, limit),
    };
    const consumer = new OutboxConsumer({
      outbox,
      batcher: b,
      store,
      logger: silentLogger(),
      maxReadings: max,
      intervalMs: 3_600_000,
    });
    // Sequence numbers keep growing across fixtures: they share the one cursor row of this store.
    return { b, consumer, add: (cose: Uint8Array) => items.push({ seq: ++seq, cose }) };
  };

  it('logs one entry per batch and proves every reading of it, for any batch size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), async (n) => {
        const { b, consumer, add } = fixture(log);
        const readings = Array.from({ length: n }, () => randomBytes(24));
        readings.forEach((r) => add(r));
        const before = log.size;
        await consumer.round();
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

  it('logs a sealed batch on the next round when the log append failed, and never seals it twice', async () => {
    let fail = true;
    const flaky = {
      append: (e: Parameters<TransparencyLog['append']>[0]) =>
        fail ? Promise.reject(new Error('down')) : log.append(e),
    };
    const { b, consumer, add } = fixture(flaky);
    const r = randomBytes(24);
    add(r);
    const before = log.size;
    await consumer.round();
    expect(log.size).toBe(before);
    await expect(b.proofFor(createHashHex(r))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    fail = false;
    await consumer.round();
    await consumer.round();
    expect(log.size).toBe(before + 1);
    verifyReadingInBatch(r, await b.proofFor(createHashHex(r)));
  });

  it('splits a backlog into batches of at most the configured size, each reading in exactly one', async () => {
    const { b, consumer, add } = fixture(log, 3);
    const before = log.size;
    const readings = Array.from({ length: 7 }, () => randomBytes(8));
    readings.forEach((r) => add(r));
    await consumer.round();
    expect(log.size).toBe(before + 3);
    const sizes = await Promise.all(readings.map(async (r) => (await b.proofFor(createHashHex(r))).batchSize));
    expect(sizes).toEqual([3, 3, 3, 3, 3, 3, 1]);
    // The cursor moved with the batches: another round finds nothing new.
    await consumer.round();
    expect(log.size).toBe(before + 3);
  });
});
