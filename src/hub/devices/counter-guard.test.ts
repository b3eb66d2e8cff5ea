import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../core/index.ts';
import { storeCases } from '../../../test/helpers/stores.ts';
import { CounterGuard } from './counter-guard.ts';
import { DeviceRegistry } from './registry.ts';
import { deviceMigrations } from './schema.ts';

const JWK = { kty: 'EC', crv: 'P-256', x: 'x'.repeat(43), y: 'y'.repeat(43) } as const;

describe.each(storeCases)('replay guard on the store ($name)', (storeCase) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let registry: DeviceRegistry;

  beforeAll(async () => {
    ({ store, cleanup } = await storeCase.open(deviceMigrations));
    registry = new DeviceRegistry(store);
    for (const id of ['d1', 'd2', 'd3']) {
      await registry.create({
        id,
        org: 'o',
        principalId: `p-${id}`,
        keystore: 'software',
        signingJwk: JWK,
        metadata: { name: id, type: 'other', transducers: [] },
        attestation: 'unattested',
        now: 1,
      });
    }
  });
  afterAll(async () => cleanup?.());

  it('accepts increasing counters, refuses equal and lower ones, and commits concurrent readings in one batch', async () => {
    const guard = new CounterGuard(registry);
    const results = await Promise.all([1, 2, 3, 4, 5].map((c) => guard.accept('d1', c, -1)));
    expect(results).toEqual([true, true, true, true, true]);
    expect(guard.commits).toBe(1);
    expect(await registry.lastCounter('d1')).toBe(5);
    expect(await guard.accept('d1', 5, -1)).toBe(false);
    expect(await guard.accept('d1', 3, -1)).toBe(false);
    expect(await guard.accept('d1', 6, -1)).toBe(true);
  });

  it('two hubs sharing the store never both accept one counter', async () => {
    const hubA = new CounterGuard(registry);
    const hubB = new CounterGuard(registry);
    const counters = Array.from({ length: 40 }, (_, i) => i + 1);
    const [a, b] = await Promise.all([
      Promise.all(counters.map((c) => hubA.accept('d2', c, -1))),
      Promise.all(counters.map((c) => hubB.accept('d2', c, -1))),
    ]);
    for (let i = 0; i < counters.length; i++) expect(a[i] && b[i]).toBe(false);
    expect(a.some(Boolean) || b.some(Boolean)).toBe(true);
  });

  it('remembers accepted counters across a restart (a new guard on the same store)', async () => {
    const before = new CounterGuard(registry);
    expect(await before.accept('d3', 100, -1)).toBe(true);
    await before.drain();
    const after = new CounterGuard(registry);
    // Even with a stale cached record (-1), the store's compare-and-set refuses the replay.
    expect(await after.accept('d3', 100, -1)).toBe(false);
    expect(await after.accept('d3', 101, -1)).toBe(true);
  });

  it('refuses counters of a revoked device', async () => {
    await registry.revoke('d3', 'test', 2);
    expect(await new CounterGuard(registry).accept('d3', 500, -1)).toBe(false);
  });
});
