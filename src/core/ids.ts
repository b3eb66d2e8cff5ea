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

/**
 * An opaque id whose text sorts by creation time (12 hex digits of milliseconds, then 96 random
 * bits). Rows keyed by it are appended at the end of their index instead of at a random place: the
 * monitor creates alerts by the thousand a second in a flood, and random keys dirtied an index page
 * per alert.
 */
export function newTimeOrderedId(prefix: string, nowMs = Date.now()): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  return `${prefix}_${time}${random16().subarray(0, 12).toString('base64url')}`;
}

export function newUuid(): string {
  return randomUUID();
}

/** A secret of `bytes` random bytes, base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
