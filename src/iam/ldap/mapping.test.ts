import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../roles.ts';
import { GroupMapping } from './mapping.ts';

describe('GroupMapping', () => {
  const m = new GroupMapping({
    groupRoles: { 'City-Operators': 'operator', analysts: 'analyst', admins: 'admin' },
    groupOrgs: { fujisawa: 'fujisawa', santander: 'santander' },
    defaultOrg: 'santander',
  });

  it('maps groups to roles case-insensitively and ignores unmapped groups', () => {
    expect(m.rolesOf(['city-operators', 'Analysts', 'coffee-club'])).toEqual(['analyst', 'operator']);
    expect(m.rolesOf(['coffee-club'])).toEqual([]);
  });

  it('picks the organisation of the first configured group, else the default', () => {
    expect(m.orgOf(['santander', 'fujisawa'])).toBe('fujisawa');
    expect(m.orgOf(['other'])).toBe('santander');
  });

  it('refuses a mapping to a role that does not exist', () => {
    expect(() => new GroupMapping({ groupRoles: { x: 'superuser' }, defaultOrg: 'santander' })).toThrow(
      /unknown role superuser/,
    );
  });

  it('never grants a role that no member group maps to', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom(...ROLES)),
        fc.array(fc.string({ maxLength: 8 })),
        (groupRoles, groups) => {
          const roles = new GroupMapping({ groupRoles, defaultOrg: 'x1' }).rolesOf(groups);
          const lower = new Map(Object.entries(groupRoles).map(([g, r]) => [g.toLowerCase(), r]));
          for (const r of roles)
            expect(groups.some((g) => [...lower].some(([k, v]) => k === g.toLowerCase() && v === r))).toBe(true);
        },
      ),
    );
  });
});
