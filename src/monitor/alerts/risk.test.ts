import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mitreOf, tacticsOfTechnique } from './mitre.ts';
import { LEVELS, riskScore } from './risk.ts';

describe('risk score', () => {
  it('stays within 0-100, grows with level and count, and adds for correlations, impact and spread (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LEVELS),
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom('ids', 'detection', 'correlation' as const),
        fc.integer({ min: 1, max: 5 }),
        (level, count, kind, orgs) => {
          const r = riskScore({ level, count, kind, tactics: [], orgs });
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(100);
          expect(riskScore({ level, count: count * 10, kind, tactics: [], orgs })).toBeGreaterThanOrEqual(r);
          expect(riskScore({ level, count, kind, tactics: ['TA0040'], orgs })).toBeGreaterThanOrEqual(r);
          const next = LEVELS[LEVELS.indexOf(level) + 1];
          if (next) expect(riskScore({ level: next, count, kind, tactics: [], orgs })).toBeGreaterThan(r);
        },
      ),
    );
    expect(riskScore({ level: 'high', count: 1, kind: 'ids', tactics: [] })).toBe(70);
    expect(riskScore({ level: 'high', count: 1000, kind: 'correlation', tactics: ['TA0040'], orgs: 2 })).toBe(94);
    expect(riskScore({ level: 'critical', count: 1e9, kind: 'correlation', tactics: ['TA0040'], orgs: 3 })).toBe(100);
  });
});

describe('ATT&CK mapping', () => {
  it('reads technique and tactic tags, and maps techniques to their tactics (sub-techniques via the parent)', () => {
    expect(mitreOf(['attack.credential-access', 'attack.t1110.001'])).toEqual({
      techniques: ['T1110.001'],
      tactics: ['TA0006'],
    });
    expect(mitreOf(['attack.impact', 'attack.t1498', 'attack.t0814']).tactics).toEqual(['TA0040', 'TA0107']);
    expect(tacticsOfTechnique('T1046')).toEqual(['TA0007']);
    expect(tacticsOfTechnique('T0855')).toEqual(['TA0106']);
    expect(tacticsOfTechnique('T9999')).toEqual([]);
    expect(mitreOf(['attack.command_and_control'], ['t1071']).tactics).toEqual(['TA0011']);
  });

  it('shares one frozen result between calls with the same arguments, and only with them', () => {
    const a = mitreOf(['attack.t1110', 'attack.t1046']);
    expect(mitreOf(['attack.t1110', 'attack.t1046'])).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.techniques) && Object.isFrozen(a.tactics)).toBe(true);
    // Arguments that a joined key would confuse get their own results.
    expect(mitreOf(['attack.t1110\nattack.t1046']).techniques).toEqual([]);
    expect(mitreOf([], ['T1110', 'T1046']).techniques).toEqual(['T1110', 'T1046']);
    expect(mitreOf(['attack.t1110'], ['T1046'])).not.toBe(a);
  });
});
