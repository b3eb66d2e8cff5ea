import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, type Store } from '../../core/index.ts';
import type { Subject } from '../../iam/index.ts';
import { sqliteCase } from '../../../test/helpers/stores.ts';
import { evaluateGrants, twinRef, TWIN_ACTIONS } from './access.ts';
import { GrantStore } from './grant-store.ts';
import { twinMigrations } from './schema.ts';

const buyer: Subject = { id: 'p1', name: 'app', kind: 'service', org: 'buyer', roles: ['consumer'], via: 'api-key' };
const ref = twinRef('santander', { provider: 'air-1', service: 'weather', resource: 'temp' }, TWIN_ACTIONS.READ);

describe('time-limited grants', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const clock = new ManualClock();
  beforeAll(async () => {
    ({ store, cleanup } = await sqliteCase.open(twinMigrations));
  });
  afterAll(async () => cleanup());

  it('apply until they expire, bump the version at expiry, and stay expired after a restart', async () => {
    const grants = new GrantStore(clock);
    await grants.start(store, 60_000);
    const expiresAt = clock.now() + 1000;
    await grants.create({
      org: 'santander',
      principalId: 'p1',
      role: null,
      granteeOrg: null,
      provider: 'air-1',
      service: '*',
      resource: '*',
      access: 'READ',
      effect: 'allow',
      priority: 0,
      createdBy: 'market',
      expiresAt,
    });
    await grants.create({
      org: 'santander',
      principalId: 'p2',
      role: null,
      granteeOrg: null,
      provider: '*',
      service: '*',
      resource: '*',
      access: 'READ',
      effect: 'allow',
      priority: 0,
      createdBy: 'admin',
    });
    expect(evaluateGrants(grants.all(), buyer, TWIN_ACTIONS.READ, ref)).toBe('allow');
    const before = grants.version;
    clock.advance(999);
    expect(grants.version).toBe(before);
    expect(evaluateGrants(grants.all(), buyer, TWIN_ACTIONS.READ, ref)).toBe('allow');
    clock.advance(1);
    expect(evaluateGrants(grants.all(), buyer, TWIN_ACTIONS.READ, ref)).toBeUndefined();
    expect(grants.version).toBeGreaterThan(before);
    expect(grants.all().map((g) => g.principalId)).toEqual(['p2']);
    grants.stop();

    // A fresh store over the same rows (a restart) never applies the expired grant either.
    const again = new GrantStore(clock);
    await again.start(store, 60_000);
    expect(evaluateGrants(again.all(), buyer, TWIN_ACTIONS.READ, ref)).toBeUndefined();
    expect((await again.list('santander')).length).toBe(2);
    expect(await again.removeExpired()).toBe(1);
    expect((await again.list('santander')).map((g) => g.principalId)).toEqual(['p2']);
    again.stop();
  });
});
