import { randomBytes, randomUUID } from 'node:crypto';

/** Opaque random identifier, URL-safe, 128 bits. */
export function newId(prefix?: string): string {
  const id = randomBytes(16).toString('base64url');
  return prefix ? `${prefix}_${id}` : id;
}

export function newUuid(): string {
  return randomUUID();
}

/** A secret of `bytes` random bytes, base64url. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
