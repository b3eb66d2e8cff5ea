import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsoleSessions, cookieValue } from './sessions.ts';

const tokens = { accessToken: 'a', refreshToken: 'r', expiresIn: 900 };

describe('console sessions', () => {
  it('finds a cookie among others, whatever the names and values around it', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(token, token), { maxLength: 5 }), token, (others, value) => {
        const parts = [
          ...others.filter(([n]) => n !== 'msec_console').map(([n, v]) => `${n}=${v}`),
          `msec_console=${value}`,
        ];
        expect(cookieValue(parts.join('; '), 'msec_console')).toBe(value);
        expect(cookieValue(parts.slice(0, -1).join('; '), 'msec_console')).toBeUndefined();
      }),
    );
  });

  it('expires idle sessions and evicts the least recently used when full', () => {
    let now = 1_000_000;
    const s = new ConsoleSessions(() => now, 60_000, 2);
    const a = s.create(tokens);
    const b = s.create(tokens);
    now += 30_000;
    expect(s.get(a.id)).toBe(a); // a is now the most recent
    const c = s.create(tokens);
    expect(s.get(b.id)).toBeUndefined();
    expect(s.size).toBe(2);
    now += 61_000;
    expect(s.get(c.id)).toBeUndefined();
    expect(a.accessExpiresAt).toBe(1_000_000 + 900_000 - 30_000);
  });

  it('accepts only the exact CSRF token', () => {
    const s = new ConsoleSessions(() => 0).create(tokens);
    expect(ConsoleSessions.csrfMatches(s, s.csrf)).toBe(true);
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (g) => {
        expect(ConsoleSessions.csrfMatches(s, g)).toBe(g === s.csrf);
      }),
    );
    expect(ConsoleSessions.csrfMatches(s, undefined)).toBe(false);
    expect(ConsoleSessions.csrfMatches(s, [s.csrf])).toBe(false);
  });
});
