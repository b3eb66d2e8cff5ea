import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startOrder } from './order.ts';
import { serviceKey, Services } from './services.ts';
import type { PlatformModule } from './module.ts';

const A = serviceKey<number>('a');
const B = serviceKey<string>('b');
const C = serviceKey<boolean>('c');

describe('startOrder', () => {
  it('starts providers before the modules that need or use them, otherwise keeps the given order', () => {
    const mods: PlatformModule[] = [
      { name: 'needs-b', needs: [B] },
      { name: 'plain' },
      { name: 'gives-b', provides: [B], needs: [A] },
      { name: 'gives-a', provides: [A] },
      { name: 'uses-c', uses: [C] },
    ];
    expect(startOrder(mods).map((m) => m.name)).toEqual(['gives-a', 'gives-b', 'needs-b', 'plain', 'uses-c']);
  });

  it('refuses a need nobody provides, a key provided twice and a circle, naming them', () => {
    expect(() => startOrder([{ name: 'x', needs: [A] }])).toThrow(
      expect.objectContaining({ code: 'PLATFORM_SERVICE_MISSING', message: expect.stringContaining('"x" needs "a"') }),
    );
    expect(() =>
      startOrder([
        { name: 'x', provides: [A] },
        { name: 'y', provides: [A] },
      ]),
    ).toThrow(
      expect.objectContaining({ code: 'PLATFORM_SERVICE_DUPLICATE', message: expect.stringContaining('"x" and "y"') }),
    );
    expect(() =>
      startOrder([
        { name: 'x', provides: [A], needs: [B] },
        { name: 'y', provides: [B], needs: [A] },
      ]),
    ).toThrow(
      expect.objectContaining({ code: 'PLATFORM_SERVICE_CYCLE', message: expect.stringMatching(/x -> y -> x/) }),
    );
    expect(() => startOrder([{ name: 'x', needs: [A] }], ['a'])).not.toThrow();
  });

  it('for any acyclic wiring, every provider comes before each module needing it, and each module once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(20), { maxLength: 4 }), { minLength: 1, maxLength: 12 }), (needsOf) => {
        // Module i provides key i and may need only keys of lower index: acyclic by construction.
        const keys = needsOf.map((_, i) => serviceKey<number>(`k${i}`));
        const mods: PlatformModule[] = needsOf.map((ns, i) => ({
          name: `m${i}`,
          provides: [keys[i]!],
          needs: i === 0 ? [] : ns.map((n) => keys[n % i]!),
        }));
        const order = startOrder([...mods].reverse()).map((m) => m.name);
        expect(new Set(order).size).toBe(mods.length);
        mods.forEach((m, i) =>
          (m.needs ?? []).forEach((k) =>
            expect(order.indexOf(`m${k.id.slice(1)}`)).toBeLessThan(order.indexOf(`m${i}`)),
          ),
        );
      }),
    );
  });
});

describe('Services', () => {
  it('hands a module only what it declared, typed', () => {
    const root = new Services();
    const giver = root.scoped('giver', { provides: [A], needs: [], uses: [] });
    giver.provide(A, 42);
    expect(() => giver.provide(B, 'x')).toThrow(expect.objectContaining({ code: 'PLATFORM_SERVICE_UNDECLARED' }));
    const taker = root.scoped('taker', { provides: [], needs: [A], uses: [B] });
    const n: number = taker.get(A);
    expect(n).toBe(42);
    expect(taker.find(B)).toBeUndefined();
    expect(() => taker.get(C)).toThrow(expect.objectContaining({ code: 'PLATFORM_SERVICE_UNDECLARED' }));
    expect(() => root.get(B)).toThrow(expect.objectContaining({ code: 'PLATFORM_SERVICE_MISSING' }));
    expect(() => root.provide(A, 1)).toThrow(expect.objectContaining({ code: 'PLATFORM_SERVICE_DUPLICATE' }));
  });
});
