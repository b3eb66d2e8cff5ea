import { describe, it, expect } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('password hashing (scrypt)', () => {
  it('verifies the right password and rejects others', async () => {
    const h = await hashPassword('correct horse battery', 10);
    expect(h).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterx', h)).toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('same password!', 10)).not.toBe(await hashPassword('same password!', 10));
  });

  it('treats malformed or out-of-range stored hashes as a mismatch, never a crash', async () => {
    for (const bad of [
      '',
      'plaintext',
      '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '$argon2id$v=19$m=1$x$y',
    ]) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });
});
