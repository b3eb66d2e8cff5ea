import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VerifyPool } from './verify-pool.ts';

const keys = Array.from({ length: 6 }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const signed = (i: number, data: Buffer) =>
  sign('sha256', data, { key: keys[i]!.privateKey, dsaEncoding: 'ieee-p1363' });

describe('VerifyPool', () => {
  let pool: VerifyPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('agrees with node:crypto on valid, altered and wrongly keyed signatures, batched across workers', async () => {
    pool = new VerifyPool({ size: 2 });
    const cases = await fc.sample(
      fc.record({
        key: fc.integer({ min: 0, max: keys.length - 1 }),
        data: fc.uint8Array({ minLength: 0, maxLength: 300 }),
        mutate: fc.constantFrom('none', 'data', 'signature', 'key'),
      }),
      { numRuns: 600, seed: 42 },
    );
    const results = await Promise.all(
      cases.map(({ key, data, mutate }) => {
        const bytes = Buffer.from(data);
        const sig = signed(key, bytes);
        if (mutate === 'signature') sig[5] = sig[5]! ^ 1;
        const check = mutate === 'data' ? Buffer.concat([bytes, Buffer.from([1])]) : bytes;
        const verifier = mutate === 'key' ? keys[(key + 1) % keys.length]!.publicKey : keys[key]!.publicKey;
        return pool!.verify('sha256', verifier, check, sig).then((ok) => ({ ok, expected: mutate === 'none' }));
      }),
    );
    expect(results.filter((r) => r.ok !== r.expected)).toEqual([]);
    expect(results.filter((r) => r.ok).length).toBeGreaterThan(100);
    expect(pool.workers).toBe(2);
  });

  it('keeps verifying right when workers forget keys beyond their bound', async () => {
    pool = new VerifyPool({ size: 1, keysPerWorker: 2 });
    const data = Buffer.from('reading');
    for (let round = 0; round < 3; round++) {
      const oks = await Promise.all(keys.map((k, i) => pool!.verify('sha256', k.publicKey, data, signed(i, data))));
      expect(oks).toEqual(keys.map(() => true));
    }
  });

  it('redoes the verifications of a worker that dies, and falls back after close', async () => {
    pool = new VerifyPool({ size: 1 });
    const data = Buffer.from('x'.repeat(100));
    const good = signed(0, data);
    expect(await pool.verify('sha256', keys[0]!.publicKey, data, good)).toBe(true);
    const inFlight = Array.from({ length: 50 }, () => pool!.verify('sha256', keys[0]!.publicKey, data, good));
    await new Promise((r) => setImmediate(r)); // the batch is sent
    await pool.crashOne();
    expect(await Promise.all(inFlight)).toEqual(inFlight.map(() => true));
    await pool.close();
    expect(await pool.verify('sha256', keys[0]!.publicKey, data, good)).toBe(true);
    const bad = Buffer.from(good);
    bad[0] = bad[0]! ^ 0xff;
    expect(await pool.verify('sha256', keys[0]!.publicKey, data, bad)).toBe(false);
  });

  it('stops idle workers and starts them again on the next verification', async () => {
    pool = new VerifyPool({ size: 1, idleStopMs: 50 });
    const data = Buffer.from('idle');
    expect(await pool.verify('sha256', keys[1]!.publicKey, data, signed(1, data))).toBe(true);
    expect(pool.workers).toBe(1);
    for (let i = 0; i < 200 && pool.workers > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pool.workers).toBe(0);
    expect(await pool.verify('sha256', keys[1]!.publicKey, data, signed(1, data))).toBe(true);
    expect(pool.workers).toBe(1);
  });

  it('verifies other curves and hashes, and with a private key as node:crypto does', async () => {
    pool = new VerifyPool({ size: 1 });
    const data = Buffer.from('p384');
    const sig = sign('sha384', data, { key: p384.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(await pool.verify('sha384', p384.publicKey, data, sig)).toBe(true);
    expect(await pool.verify('sha256', p384.publicKey, data, sig)).toBe(false);
    expect(await pool.verify('sha384', p384.privateKey, data, sig)).toBe(true);
  });
});
