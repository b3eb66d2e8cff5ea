import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_STATEMENTS, PolicyEngine, actionMatches } from './policy.ts';
import { ROLES, type Role } from './roles.ts';
import type { Subject } from './subject.ts';

const subject = (org: string, roles: Role[], id = 'p1'): Subject => ({
  id,
  name: id,
  kind: 'user',
  org,
  roles,
  via: 'token',
});

describe('actionMatches', () => {
  it('matches segments and trailing wildcards', () => {
    expect(actionMatches('iam:*', 'iam:org:create')).toBe(true);
    expect(actionMatches('iam:*:read', 'iam:org:read')).toBe(true);
    expect(actionMatches('iam:*:read', 'iam:org:create')).toBe(false);
    expect(actionMatches('iam:org', 'iam:org:create')).toBe(false);
    expect(actionMatches('*', 'anything:at:all')).toBe(true);
  });
});

describe('PolicyEngine (default statements)', () => {
  const engine = new PolicyEngine();

  it('lets platform admins do anything, org admins only in their org', () => {
    expect(
      engine.decide(subject('platform', ['admin']), 'iam:principal:create', { type: 'principal', org: 'fujisawa' })
        .allow,
    ).toBe(true);
    expect(
      engine.decide(subject('santander', ['admin']), 'iam:principal:create', { type: 'principal', org: 'santander' })
        .allow,
    ).toBe(true);
    expect(
      engine.decide(subject('santander', ['admin']), 'iam:principal:create', { type: 'principal', org: 'fujisawa' })
        .allow,
    ).toBe(false);
  });

  it('lets nobody but platform admins create organisations', () => {
    expect(
      engine.decide(subject('santander', ['admin']), 'iam:org:create', { type: 'org', org: 'santander' }).allow,
    ).toBe(false);
    expect(
      engine.decide(subject('platform', ['admin']), 'iam:org:create', { type: 'org', org: 'platform' }).allow,
    ).toBe(true);
  });

  it('allows self-service only on oneself', () => {
    const s = subject('santander', ['consumer'], 'me');
    expect(engine.decide(s, 'iam:self:read', { type: 'principal', id: 'me' }).allow).toBe(true);
    expect(engine.decide(s, 'iam:self:read', { type: 'principal', id: 'someone-else' }).allow).toBe(false);
  });

  it('denies by default: an unknown action is refused for every role', () => {
    fc.assert(
      fc.property(
        fc.subarray(
          [...ROLES].filter((r) => r !== 'admin'),
          { minLength: 1 },
        ),
        fc.stringMatching(/^[a-z]{1,8}:[a-z]{1,8}:[a-z]{1,8}$/),
        fc.stringMatching(/^[a-z]{2,8}$/),
        (roles, action, org) => {
          fc.pre(!action.startsWith('iam:') && !action.startsWith('platform:'));
          expect(engine.decide(subject(org, roles), action, { type: 'x', org }).allow).toBe(false);
        },
      ),
    );
  });

  it('an explicit deny wins over an allow', () => {
    const e = new PolicyEngine([
      { id: 'allow-all', effect: 'allow', roles: '*', actions: ['*'], scope: 'any' },
      { id: 'deny-x', effect: 'deny', roles: ['consumer'], actions: ['hub:x:*'], scope: 'any' },
    ]);
    const d = e.decide(subject('o', ['consumer']), 'hub:x:read', { type: 'x' });
    expect(d).toMatchObject({ allow: false, statement: 'deny-x' });
    expect(e.decide(subject('o', ['operator']), 'hub:x:read', { type: 'x' }).allow).toBe(true);
  });

  it('own-org never matches a resource without an organisation (e.g. hub:federation:push)', () => {
    const e = new PolicyEngine([{ id: 'org-only', effect: 'allow', roles: '*', actions: ['*'], scope: 'own-org' }]);
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{2,8}$/), fc.constantFrom(...ROLES), (org, role) => {
        expect(e.decide(subject(org, [role]), 'hub:federation:push', { type: 'federation' }).allow).toBe(false);
        expect(e.decide(subject(org, [role]), 'hub:federation:push', { type: 'federation', org }).allow).toBe(true);
      }),
    );
  });

  it('follows the role hierarchy: an org admin may do whatever another role of its org may, /metrics included', () => {
    const actions = [...new Set(DEFAULT_STATEMENTS.flatMap((st) => st.actions).filter((a) => !a.includes('*')))];
    fc.assert(
      fc.property(
        fc.constantFrom(...actions),
        fc.constantFrom(...ROLES.filter((r) => r !== 'admin')),
        fc.constantFrom('santander', 'platform'),
        (action, role, org) => {
          const resource = { type: action.split(':')[1]!, org };
          if (engine.decide(subject(org, [role]), action, resource).allow)
            expect(engine.decide(subject(org, ['admin']), action, resource).allow).toBe(true);
        },
      ),
    );
    expect(
      engine.decide(subject('santander', ['admin']), 'platform:metrics:read', { type: 'metrics', org: 'santander' })
        .allow,
    ).toBe(true);
    expect(
      engine.decide(subject('santander', ['admin']), 'platform:config:update', { type: 'config', org: 'santander' })
        .allow,
    ).toBe(false);
  });
});
