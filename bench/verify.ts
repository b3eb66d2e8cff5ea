/**
 * Signed-reading verification throughput against raw node:crypto ECDSA P-256 verify of a
 * message of the same size with a cached KeyObject, measured in the same run on one core
 * (target >= 0.7). Then the hub's way: many readings in flight, signatures checked on libuv's
 * thread pool (`offload`), against the same one-core raw rate, to show what the pool adds.
 * Usage: run(['--seconds', '3']).
 */
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { createSign1, decodeSign1, sign1ToBeSigned } from '../src/device/cose/sign1.ts';
import { encodeReadingPayload } from '../src/device/reading/payload.ts';
import { verifyReading, VerificationKeyCache } from '../src/device/reading/signed.ts';
import { argValue } from './helpers/measure.ts';

/** Calls `op` in batches until `seconds` have passed; returns operations per second. */
async function measure(seconds: number, op: () => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await op(); // warm-up (JIT, caches)
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let count = 0;
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 200; i++) await op();
    count += 200;
    elapsed = process.hrtime.bigint() - start;
  }
  return count / (Number(elapsed) / 1e9);
}

/** Keeps `width` operations in flight until `seconds` have passed; returns completions per second. */
async function inFlight(seconds: number, width: number, op: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await op(); // warm-up
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let count = 0;
  const lane = async () => {
    while (process.hrtime.bigint() - start < budget) {
      await op();
      count++;
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

export async function run(args: string[]): Promise<void> {
  const seconds = argValue(args, '--seconds', 3);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const deviceId = 'santander-0042';
  const payload = encodeReadingPayload({
    deviceId,
    resource: 'santander/environment/temperature',
    value: 21.5,
    unit: 'Cel',
    counter: 7,
    timestamp: Date.now(),
  });
  const signed = await createSign1({
    payload,
    kid: Buffer.from(deviceId),
    sign: (tbs) => nodeSign('sha256', tbs, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  });
  const msg = decodeSign1(signed);
  const toBeSigned = sign1ToBeSigned(msg.headers.protectedBytes, msg.payload);
  const signature = msg.signature;

  const cache = new VerificationKeyCache((kid): KeyObject | undefined => (kid === deviceId ? publicKey : undefined));

  // Interleaved rounds, so a noisy neighbour slows both sides alike.
  const rounds = 3;
  let raw = 0;
  let ours = 0;
  for (let r = 0; r < rounds; r++) {
    raw += await measure(seconds / rounds, () => {
      if (!nodeVerify('sha256', toBeSigned, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature))
        throw new Error('raw verify failed');
    });
    ours += await measure(seconds / rounds, () => verifyReading(signed, cache.resolve));
  }
  raw /= rounds;
  ours /= rounds;
  const pooled = await inFlight(seconds / rounds, 64, () => verifyReading(signed, cache.resolve, { offload: true }));

  console.log(`message: ${signed.length} bytes signed reading, ${toBeSigned.length} bytes ToBeSigned`);
  console.log(`raw verify: ${Math.round(raw)}/s`);
  console.log(`verifyReading: ${Math.round(ours)}/s`);
  console.log(`ratio: ${(ours / raw).toFixed(2)} (target >= 0.7)`);
  console.log(
    `verifyReading on the thread pool (64 in flight, ${availableParallelism()} cores, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 4}): ${Math.round(pooled)}/s, ${(pooled / raw).toFixed(2)} of one core's raw rate`,
  );
}
