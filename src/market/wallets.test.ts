import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, MsecError, type Store } from '../core/index.ts';
import { storeCases } from '../../test/helpers/stores.ts';
import { marketMigrations } from './schema.ts';
import { Wallets } from './wallets.ts';

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof MsecError) return err.code;
    throw err;
  }
};

for (const sc of storeCases) {
  describe(`wallets on ${sc.name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let wallets: Wallets;
    const alice = { id: 'alice', org: 'buyer' };
    const bob = { id: 'bob', org: 'santander' };
    beforeAll(async () => {
      ({ store, cleanup } = await sc.open(marketMigrations));
      wallets = new Wallets(store, new ManualClock());
    });
    afterAll(async () => cleanup());

    it('mints once per idempotency key, even when the same request races itself', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => wallets.mint(alice, 1_000, 'operator', 'mint-1')),
      );
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(await wallets.balances('alice')).toEqual({ available: 1_000, escrow: 0 });
      expect(await codeOf(wallets.mint(alice, 2_000, 'operator', 'mint-1'))).toBe('MARKET_IDEMPOTENCY_CONFLICT');
    });

    it('never lets parallel spends overdraw a wallet, and keeps supply = sum of balances', async () => {
      // 1000 available; 20 parallel transfers of 70 can succeed at most 14 times.
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => codeOf(wallets.transfer(alice, bob, 70, `pay-${i}`))),
      );
      const ok = outcomes.filter((o) => o === 'ok').length;
      expect(outcomes.every((o) => o === 'ok' || o === 'MARKET_INSUFFICIENT_FUNDS')).toBe(true);
      expect(ok).toBe(14);
      expect(await wallets.balances('alice')).toEqual({ available: 1_000 - 14 * 70, escrow: 0 });
      expect(await wallets.balances('bob')).toEqual({ available: 14 * 70, escrow: 0 });
      const t = await wallets.totals();
      expect(t).toEqual({ supply: 1_000, held: 1_000, lowest: 0, unbalancedTransfers: 0 });
    });

    it('keeps the books balanced under random concurrent transfers with retries', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              from: fc.constantFrom('alice', 'bob', 'carol'),
              to: fc.constantFrom('alice', 'bob', 'carol'),
              amount: fc.integer({ min: 1, max: 600 }),
              key: fc.integer({ min: 0, max: 30 }),
            }),
            { minLength: 1, maxLength: 12 },
          ),
          async (ops) => {
            const before = await wallets.totals();
            const orgs: Record<string, string> = { alice: 'buyer', bob: 'santander', carol: 'fujisawa' };
            await Promise.all(
              ops.map((o) =>
                codeOf(
                  wallets.transfer(
                    { id: o.from, org: orgs[o.from]! },
                    { id: o.to, org: orgs[o.to]! },
                    o.amount,
                    `${o.from}:${o.to}:${o.amount}:${o.key}`,
                  ),
                ),
              ),
            );
            const after = await wallets.totals();
            expect(after.supply).toBe(before.supply);
            expect(after.held).toBe(after.supply);
            expect(after.lowest).toBeGreaterThanOrEqual(0);
            expect(after.unbalancedTransfers).toBe(0);
          },
        ),
        { numRuns: 8 },
      );
    });

    it('gives each principal a statement of its own entries', async () => {
      const lines = await wallets.statement('bob');
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => l.account.endsWith(':bob'))).toBe(true);
      const { available } = await wallets.balances('bob');
      expect(lines.filter((l) => l.account === 'wallet:bob').reduce((s, l) => s + l.amount, 0)).toBe(available);
    });

    it('refuses bad amounts with a stable code', async () => {
      for (const bad of [0, -5, 1.5, Number.MAX_SAFE_INTEGER + 2])
        expect(await codeOf(wallets.transfer(alice, bob, bad))).toBe('MARKET_AMOUNT_INVALID');
      expect(await codeOf(wallets.mint(alice, Number.MAX_SAFE_INTEGER, 'operator'))).toBe('MARKET_SUPPLY_EXCEEDED');
    });
  });
}
