import { describe, it, expect, afterEach, vi } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { ManualClock } from '../../core/index.ts';
import { iamMigrations } from '../../iam/index.ts';
import { storeCases } from '../../../test/helpers/stores.ts';
import { DeviceCache } from './device-cache.ts';
import { DeviceRegistry } from './registry.ts';
import { deviceMigrations } from './schema.ts';

const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });

describe.each(storeCases)('device cache on $name', (sc) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('sees a revocation made by another hub on the same store within one TTL, without re-reading unchanged devices', async () => {
    const opened = await sc.open([...iamMigrations, ...deviceMigrations]);
    cleanup = opened.cleanup;
    const clock = new ManualClock(Date.UTC(2026, 10, 1));
    const here = new DeviceRegistry(opened.store);
    const elsewhere = new DeviceRegistry(opened.store);
    for (const id of ['a-1', 'a-2']) {
      await here.create({
        id,
        org: 'santander',
        principalId: `p-${id}`,
        keystore: 'software',
        signingJwk: { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) },
        metadata: { name: id, type: 'other', transducers: [] },
        attestation: 'unattested',
        now: clock.now(),
      });
    }
    let reads = 0;
    const counting = Object.assign(Object.create(here) as DeviceRegistry, {
      get: (id: string) => {
        reads++;
        return here.get(id);
      },
      changedSince: (since: number) => here.changedSince(since),
    });
    const cache = new DeviceCache(counting, clock, 2000);
    expect((await cache.get('a-1'))?.status).toBe('active');
    expect((await cache.get('a-2'))?.status).toBe('active');
    expect(reads).toBe(2);

    clock.advance(1000);
    await elsewhere.revoke('a-1', 'stolen', clock.now());
    expect((cache.get('a-1') as { status: string }).status).toBe('active'); // within the TTL: cached
    clock.advance(1500);
    cache.get('a-2'); // any lookup past the TTL starts one background poll
    await vi.waitFor(() => expect((cache.get('a-1') as { status: string }).status).toBe('revoked'), { timeout: 5000 });
    // Only the changed device was read again.
    expect(reads).toBe(3);
  });
});
