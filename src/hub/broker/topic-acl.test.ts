import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Subject } from '../../iam/index.ts';
import type { Grant } from '../twins/access.ts';
import { dataFilterMayDeliver, dataTopicRef, validFilter } from './topic-acl.ts';

const consumer: Subject = { id: 'p1', name: 'app', kind: 'service', org: 'buyer', roles: ['consumer'], via: 'api-key' };
const member: Subject = { id: 'p2', name: 'op', kind: 'user', org: 'santander', roles: ['operator'], via: 'token' };
const grant: Grant = {
  id: 'g',
  org: 'santander',
  principalId: 'p1',
  role: null,
  granteeOrg: null,
  provider: 'air-*',
  service: 'weather',
  resource: '*',
  access: 'READ',
  effect: 'allow',
  priority: 0,
  createdBy: 'x',
  createdAt: 0,
};

describe('topic ACL', () => {
  it('parses data topics into twin refs and refuses anything else', () => {
    expect(dataTopicRef('data/santander/air-1/weather/temperature')).toMatchObject({
      org: 'santander',
      id: 'air-1/weather/temperature',
    });
    expect(dataTopicRef('data/santander/air-1/weather')).toBeUndefined();
    expect(dataTopicRef('data/santander/a b/weather/t')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (t) => {
        const r = dataTopicRef(t);
        expect(r === undefined || r.type === 'twin').toBe(true);
      }),
    );
  });

  it('lets members subscribe to their own org and refuses other orgs without a grant', () => {
    expect(dataFilterMayDeliver('data/santander/#', member, [], false)).toBe(true);
    expect(dataFilterMayDeliver('data/#', member, [], false)).toBe(true);
    expect(dataFilterMayDeliver('data/fujisawa/#', member, [], false)).toBe(false);
    expect(dataFilterMayDeliver('data/santander/#', consumer, [], false)).toBe(false);
  });

  it('lets a consumer subscribe where a grant overlaps the filter, and only there', () => {
    expect(dataFilterMayDeliver('data/santander/#', consumer, [grant], false)).toBe(true);
    expect(dataFilterMayDeliver('data/+/air-2/weather/+', consumer, [grant], false)).toBe(true);
    expect(dataFilterMayDeliver('data/santander/water-1/#', consumer, [grant], false)).toBe(false);
    expect(dataFilterMayDeliver('data/santander/air-1/traffic/count', consumer, [grant], false)).toBe(false);
    expect(dataFilterMayDeliver('data/santander/#', consumer, [{ ...grant, access: 'DESCRIBE' }], false)).toBe(false);
    expect(dataFilterMayDeliver('data/santander/#', { ...consumer, id: 'other' }, [grant], false)).toBe(false);
  });

  it('validates MQTT filters', () => {
    expect(['a/#', '#', 'a/+/b', '+']).toEqual(['a/#', '#', 'a/+/b', '+'].filter(validFilter));
    expect(['a/#/b', 'a#', 'a/b+', ''].filter(validFilter)).toEqual([]);
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (f) => {
        expect(typeof validFilter(f)).toBe('boolean');
      }),
    );
  });
});
