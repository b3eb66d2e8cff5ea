import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMsecError } from '../../core/index.ts';
import { PolicyEngine } from '../policy.ts';
import type { Subject } from '../subject.ts';
import { compileDocument, validateDocument, type PolicyDocument } from './document.ts';

const PREFIXES = new Set(['iam', 'hub', 'vault', 'market', 'monitor', 'gateway']);
const operator: Subject = { id: 'p_op', name: 'olga', kind: 'user', org: 'city-a', roles: ['operator'], via: 'token' };

function engineWith(...docs: PolicyDocument[]): PolicyEngine {
  const e = new PolicyEngine();
  e.setCentral(docs.map((d) => compileDocument(validateDocument(d, PREFIXES))));
  return e;
}

describe('central policy documents', () => {
  it('refuses unknown action prefixes, malformed patterns, bad scopes and unknown fields, naming them', () => {
    const base = { id: 'p1', effect: 'allow', actions: ['hub:twin:read'] };
    const refusal = (doc: unknown) => {
      try {
        validateDocument(doc, PREFIXES);
      } catch (err) {
        if (isMsecError(err)) return `${err.code}: ${err.message}`;
        throw err;
      }
      return 'accepted';
    };
    expect(refusal({ ...base, actions: ['vualt:record:read'] })).toMatch(
      /^IAM_POLICY_INVALID: .*unknown action prefix "vualt"/,
    );
    expect(refusal({ ...base, actions: ['hub:tw*n:read'] })).toMatch(/IAM_POLICY_INVALID: .*whole segments/);
    expect(refusal({ ...base, scope: 'everywhere' })).toMatch(/^IAM_POLICY_INVALID: policy: \/scope/);
    expect(refusal({ ...base, scope: 'self', resource: { orgs: ['city-a'] } })).toMatch(/scope "self"/);
    expect(refusal({ ...base, when: 'true' })).toMatch(/unknown field\(s\): when/);
    expect(refusal({ ...base, roles: ['root'] })).toMatch(/^IAM_POLICY_INVALID: policy: \/roles/);
    expect(refusal(base)).toBe('accepted');
    expect(refusal({ ...base, actions: ['*'] })).toBe('accepted');
  });

  it('matches twin attributes by glob, principals by name or id, and resource ids', () => {
    const e = engineWith({
      id: 'no-parking',
      effect: 'deny',
      actions: ['hub:twin:*'],
      resource: { attributes: { provider: 'parking-*', service: ['occupancy', 'tariff'] } },
    });
    const twin = (provider: string, service: string) => ({
      type: 'twin',
      org: 'city-a',
      attributes: { provider, service, resource: 'level' },
    });
    expect(e.decide(operator, 'hub:twin:read', twin('parking-north', 'occupancy'))).toMatchObject({
      allow: false,
      statement: 'central:no-parking',
    });
    // Another service or provider: the deny does not apply (and nothing allows it: default deny).
    expect(e.decide(operator, 'hub:twin:read', twin('parking-north', 'lights')).statement).toBeUndefined();
    expect(e.decide(operator, 'hub:twin:read', twin('air', 'occupancy')).statement).toBeUndefined();
    // A resource without the attribute never matches an attribute condition.
    expect(e.decide(operator, 'hub:twin:read', { type: 'twin', org: 'city-a' }).statement).toBeUndefined();

    const byName = engineWith({
      id: 'olga-records',
      effect: 'allow',
      principals: ['ol*'],
      actions: ['vault:record:read'],
      scope: 'own-org',
      resource: { types: ['record'], ids: ['rec_pub_*'] },
    });
    expect(byName.decide(operator, 'vault:record:read', { type: 'record', id: 'rec_pub_1', org: 'city-a' }).allow).toBe(
      true,
    );
    expect(byName.decide(operator, 'vault:record:read', { type: 'record', id: 'rec_priv', org: 'city-a' }).allow).toBe(
      false,
    );
    // own-org still holds: the same id in another organisation is not reachable.
    expect(byName.decide(operator, 'vault:record:read', { type: 'record', id: 'rec_pub_1', org: 'city-b' }).allow).toBe(
      false,
    );
    expect(
      byName.decide({ ...operator, name: 'bob', id: 'p_bob' }, 'vault:record:read', {
        type: 'record',
        id: 'rec_pub_1',
        org: 'city-a',
      }).allow,
    ).toBe(false);
  });

  it('a central deny overrides a module allow, and the explanation lists both', () => {
    const e = engineWith({ id: 'no-audit', effect: 'deny', roles: ['operator'], actions: ['iam:audit:read'] });
    const x = e.explain(operator, 'iam:audit:read', { type: 'audit', org: 'city-a' });
    expect(x).toMatchObject({ allow: false, statement: 'central:no-audit', reason: 'denied by central:no-audit' });
    expect(x.matched.map((m) => `${m.source}:${m.effect}:${m.id}`)).toEqual([
      'module:allow:operator-observe',
      'central:deny:central:no-audit',
    ]);
    // decide() agrees with explain().
    expect(e.decide(operator, 'iam:audit:read', { type: 'audit', org: 'city-a' }).statement).toBe('central:no-audit');
  });

  it('validation never throws anything but IAM_POLICY_INVALID on arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          validateDocument(v, PREFIXES);
        } catch (err) {
          expect(isMsecError(err) && err.code).toBe('IAM_POLICY_INVALID');
        }
      }),
      { numRuns: 200 },
    );
    // Documents near the shape: random fields on a valid base.
    fc.assert(
      fc.property(
        fc.record({
          actions: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
          scope: fc.oneof(fc.constant('any'), fc.string({ maxLength: 8 })),
          resource: fc.dictionary(fc.constantFrom('types', 'ids', 'orgs', 'attributes', 'x'), fc.jsonValue()),
        }),
        (extra) => {
          try {
            const doc = validateDocument({ id: 'p1', effect: 'deny', ...extra }, PREFIXES);
            // What validates compiles and evaluates without throwing.
            engineWith(doc).decide(operator, 'hub:twin:read', { type: 'twin', attributes: { provider: 'x' } });
          } catch (err) {
            expect(isMsecError(err) && err.code).toBe('IAM_POLICY_INVALID');
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
