import { afterEach, describe, expect, it } from 'vitest';
import { generatePlatformKey, ManualClock, type Store } from '../core/index.ts';
import { storeCases } from '../../test/helpers/stores.ts';
import { verifyCheckpoint } from './checkpoint.ts';
import { entryLeafHash, sha256Hex } from './entry.ts';
import { ledgerMigrations, type LedgerTables } from './schema.ts';
import { TransparencyLog } from './log.ts';
import { consistencyProof, inclusionProof, rootOf } from './merkle/tree.ts';
import { verifyConsistency, verifyInclusion } from './merkle/verify.ts';

const key = generatePlatformKey();
const entry = (i: number) => ({
  kind: i % 2 ? 'vault.record' : 'hub.readings-batch',
  dataHash: sha256Hex(`data-${i}`),
});

describe.each(storeCases)('transparency log on $name', (c) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function open(): Promise<{ store: Store; log: TransparencyLog; clock: ManualClock }> {
    const opened = await c.open(ledgerMigrations);
    cleanup = opened.cleanup;
    const clock = new ManualClock();
    return { store: opened.store, clock, log: await TransparencyLog.open({ store: opened.store, key, clock }) };
  }

  it('serves proofs from stored nodes that match the pure tree at every size', async () => {
    const { log } = await open();
    const leaves: Buffer[] = [];
    for (let i = 0; i < 21; i++) {
      const r = await log.append(entry(i));
      expect(r.index).toBe(i);
      leaves.push(r.leafHash);
    }
    for (let size = 1; size <= 21; size++) {
      const head = await log.checkpointAt(size);
      expect(head.root).toEqual(rootOf(leaves.slice(0, size)));
      expect(verifyCheckpoint(head.note, key.publicKey).size).toBe(size);
      for (let index = 0; index < size; index += 3) {
        const p = await log.inclusionProof(index, size);
        expect(p.hashes).toEqual(inclusionProof(leaves, index, size));
        verifyInclusion(index, size, leaves[index]!, p.hashes, head.root);
      }
      for (let old = 1; old <= size; old += 2) {
        const proof = await log.consistencyProof(old, size);
        expect(proof).toEqual(consistencyProof(leaves, old, size));
        verifyConsistency(old, size, proof, await log.rootAt(old), head.root);
      }
    }
    const e = await log.getEntry(5);
    expect(e).toMatchObject({ index: 5, kind: 'vault.record', dataHash: sha256Hex('data-5') });
    expect(entryLeafHash(e)).toEqual(leaves[5]);
  });

  it('group-commits concurrent appends into fewer transactions with contiguous indexes', async () => {
    const { store, log } = await open();
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(entry(i))));
    expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const heads = await store.db.withTables<LedgerTables>().selectFrom('ledger_checkpoints').select('size').execute();
    expect(heads.length).toBeLessThan(300);
    expect(Math.max(...heads.map((h) => Number(h.size)))).toBe(300);
    const batch = await log.appendBatch([entry(1000), entry(1001)]);
    expect(batch.map((r) => r.index)).toEqual([300, 301]);
    const latest = await log.latestCheckpoint();
    expect(latest.size).toBe(302);
  });

  it('two writers on one store (two processes) take turns: every append lands once in one tree, and each can prove all of it', async () => {
    const { store, log: a } = await open();
    const b = await TransparencyLog.open({ store, key, clock: new ManualClock() });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).append(entry(i))));
    const indexes = results.map((r) => r.index).sort((x, y) => x - y);
    expect(indexes).toEqual([...Array(30).keys()]);
    await a.refresh();
    await b.refresh();
    expect(a.size).toBe(30);
    expect(b.size).toBe(30);
    const leaves = [...results].sort((x, y) => x.index - y.index).map((r) => r.leafHash);
    const head = await b.latestCheckpoint();
    expect(head.root).toEqual(rootOf(leaves));
    for (const index of [0, 13, 29])
      verifyInclusion(index, 30, leaves[index]!, (await a.inclusionProof(index, 30)).hashes, head.root);
  });

  it('reopens at the committed head and keeps growing the same tree', async () => {
    const { store, log } = await open();
    const leaves = (await log.appendBatch(Array.from({ length: 13 }, (_, i) => entry(i)))).map((r) => r.leafHash);
    const again = await TransparencyLog.open({ store, key });
    expect(again.size).toBe(13);
    expect((await again.latestCheckpoint()).root).toEqual(rootOf(leaves));
    leaves.push((await again.append(entry(13))).leafHash);
    expect((await again.latestCheckpoint()).root).toEqual(rootOf(leaves));
  });

  it('a batch that fails mid-transaction leaves entries and head exactly as before', async () => {
    const { store, log } = await open();
    await log.appendBatch([entry(0), entry(1), entry(2)]);
    const before = await log.latestCheckpoint();
    const db = store.db.withTables<LedgerTables>();
    // A stray node where the batch will write its fourth leaf makes the transaction fail part-way.
    await db
      .insertInto('ledger_nodes')
      .values({ level: 0, idx: 4, hash: Buffer.alloc(32) })
      .execute();
    await expect(log.appendBatch([entry(3), entry(4), entry(5)])).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    expect(log.size).toBe(3);
    const count = await db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
    expect(await log.latestCheckpoint()).toEqual(before);
    const maxHead = await db
      .selectFrom('ledger_checkpoints')
      .select((eb) => eb.fn.max('size').as('s'))
      .executeTakeFirstOrThrow();
    expect(Number(maxHead.s)).toBe(3);

    await db.deleteFrom('ledger_nodes').where('level', '=', 0).where('idx', '=', 4).execute();
    const leaves = (await db.selectFrom('ledger_entries').select('leaf_hash').orderBy('idx').execute()).map(
      (r): Buffer => Buffer.from(r.leaf_hash),
    );
    leaves.push(...(await log.appendBatch([entry(3), entry(4)])).map((r) => r.leafHash));
    expect((await log.latestCheckpoint()).root).toEqual(rootOf(leaves));
  });

  it('rejects bad entries and positions with stable codes', async () => {
    const { log } = await open();
    await expect(log.append({ kind: 'has space', dataHash: sha256Hex('x') })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(log.append({ kind: 'vault.record', dataHash: 'abc' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await log.append(entry(0));
    await expect(log.getEntry(1)).rejects.toMatchObject({ code: 'LEDGER_INDEX_OUT_OF_RANGE' });
    await expect(log.inclusionProof(0, 2)).rejects.toMatchObject({ code: 'LEDGER_SIZE_INVALID' });
    await expect(log.consistencyProof(2, 1)).rejects.toMatchObject({ code: 'LEDGER_SIZE_INVALID' });
    await expect(log.checkpointAt(-1)).rejects.toMatchObject({ code: 'LEDGER_SIZE_INVALID' });
    expect((await log.checkpointAt(0)).size).toBe(0);
  });
});
