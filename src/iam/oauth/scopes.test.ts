import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionMatches, PolicyEngine } from '../policy.ts';
import type { Subject } from '../subject.ts';
import { SCOPE } from './clients.ts';

const segment = fc.constantFrom(
  'iam',
  'audit',
  'read',
  'principal',
  'create',
  'monitor',
  'alert',
  'platform',
  'metrics',
  '*',
);
const action = fc
  .array(fc.constantFrom('iam', 'audit', 'read', 'principal', 'create', 'monitor', 'alert'), {
    minLength: 3,
    maxLength: 3,
  })
  .map((a) => a.join(':'));
const pattern = fc.array(segment, { minLength: 1, maxLength: 3 }).map((a) => a.join(':'));

describe('scoped subjects in the policy engine', () => {
  const engine = new PolicyEngine();
  const admin: Subject = { id: 'p1', name: 'svc', kind: 'service', org: 'platform', roles: ['admin'], via: 'token' };

  it('allows a scoped admin exactly the actions its scopes match (scopes narrow, never widen)', () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 4 }), action, (scopes, act) => {
        const scoped = engine.decide({ ...admin, scopes }, act, { type: 'x', org: 'platform' });
        const unscoped = engine.decide(admin, act, { type: 'x', org: 'platform' });
        expect(scoped.allow).toBe(unscoped.allow && scopes.some((s) => actionMatches(s, act)));
      }),
    );
  });

  it('never lets a scope allow what the roles deny', () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 4 }), action, (scopes, act) => {
        const consumer: Subject = { ...admin, roles: ['consumer'], scopes };
        if (!engine.decide({ ...consumer, scopes: undefined }, act, { type: 'x', org: 'platform' }).allow) {
          expect(engine.decide(consumer, act, { type: 'x', org: 'platform' }).allow).toBe(false);
        }
      }),
    );
  });

  it('accepts action patterns as scopes and refuses other text', () => {
    expect(SCOPE.test('monitor:alert:*')).toBe(true);
    expect(SCOPE.test('iam:audit:read')).toBe(true);
    for (const bad of ['', 'IAM:audit', 'a b', 'iam::read', 'x:y:z:w:v']) expect(SCOPE.test(bad), bad).toBe(false);
  });
});
