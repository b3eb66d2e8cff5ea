import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/**
 * Random bytes for ids, drawn from the CSPRNG 4 KiB at a time: one `randomBytes(16)` per id cost a
 * system call each (13 µs, measured when the monitor opened thousands of alerts a second). Bytes are
 * handed out once and never reused, as `randomUUID` does with its own cache.
 */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;

function random16(): Buffer {
  if (poolAt + 16 > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const out = Buffer.from(POOL.subarray(poolAt, poolAt + 16));
  poolAt += 16;
  return out;
}

/** Opaque random identifier, URL-safe, 128 bits. */
export function newId(prefix?: string): string {
  const id = random16().toString('base64url');
  return prefix ? `${prefix}_${id}` : id;
}

export function newUuid(): string {
  return randomUUID();
}

/** A secret of `bytes` random bytes, base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
