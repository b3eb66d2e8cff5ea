import { describe, expect, it } from 'vitest';
import type { Subject } from '../../iam/index.ts';
import { evaluateGrants, twinRef, TWIN_ACTIONS, type Grant } from './access.ts';

const s: Subject = { id: 'p1', name: 'app', kind: 'service', org: 'buyer', roles: ['consumer'], via: 'api-key' };
const base: Grant = {
  id: 'g1',
  org: 'santander',
  principalId: 'p1',
  role: null,
  granteeOrg: null,
  provider: 'air-*',
  service: '*',
  resource: '*',
  access: 'READ',
  effect: 'allow',
  priority: 0,
  createdBy: 'x',
  createdAt: 0,
  expiresAt: null,
};
const ref = (action: string, provider = 'air-1') =>
  twinRef('santander', { provider, service: 'weather', resource: 'temp' }, action);

describe('grant evaluation', () => {
  it('READ allows describe and read but not update or act, on matching names only', () => {
    expect(evaluateGrants([base], s, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ))).toBe('allow');
    expect(evaluateGrants([base], s, TWIN_ACTIONS.DESCRIBE, ref(TWIN_ACTIONS.DESCRIBE))).toBe('allow');
    expect(evaluateGrants([base], s, TWIN_ACTIONS.UPDATE, ref(TWIN_ACTIONS.UPDATE))).toBeUndefined();
    expect(evaluateGrants([base], s, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ, 'water-1'))).toBeUndefined();
  });

  it('the highest priority wins and deny wins a tie', () => {
    const deny: Grant = { ...base, id: 'g2', effect: 'deny', provider: 'air-1' };
    expect(evaluateGrants([base, deny], s, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ))).toBe('deny');
    expect(evaluateGrants([{ ...base, priority: 5 }, deny], s, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ))).toBe(
      'allow',
    );
  });

  it('applies role grants within the grantee org and org grants to every member', () => {
    const role: Grant = { ...base, principalId: null, role: 'consumer', granteeOrg: 'buyer' };
    expect(evaluateGrants([role], s, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ))).toBe('allow');
    expect(
      evaluateGrants([{ ...role, granteeOrg: null }], s, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ)),
    ).toBeUndefined();
    const org: Grant = { ...base, principalId: null, granteeOrg: 'buyer' };
    expect(evaluateGrants([org], { ...s, id: 'p9' }, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ))).toBe('allow');
    expect(evaluateGrants([org], { ...s, org: 'other' }, TWIN_ACTIONS.READ, ref(TWIN_ACTIONS.READ))).toBeUndefined();
  });
});
