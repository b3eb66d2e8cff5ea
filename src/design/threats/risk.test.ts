import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atLeast, band, overall, rate, RISK_LEVELS, worstData } from './risk.ts';

describe('OWASP risk rating', () => {
  it('bands scores as OWASP does: below 3 low, below 6 medium, else high', () => {
    expect([0, 2.9, 3, 5.9, 6, 9].map(band)).toEqual(['LOW', 'LOW', 'MEDIUM', 'MEDIUM', 'HIGH', 'HIGH']);
  });

  it('combines likelihood and impact with the OWASP severity matrix', () => {
    expect(overall('HIGH', 'HIGH')).toBe('critical');
    expect(overall('MEDIUM', 'HIGH')).toBe('high');
    expect(overall('LOW', 'HIGH')).toBe('medium');
    expect(overall('HIGH', 'MEDIUM')).toBe('high');
    expect(overall('MEDIUM', 'MEDIUM')).toBe('medium');
    expect(overall('LOW', 'MEDIUM')).toBe('low');
    expect(overall('HIGH', 'LOW')).toBe('medium');
    expect(overall('MEDIUM', 'LOW')).toBe('low');
    expect(overall('LOW', 'LOW')).toBe('low');
  });

  it('rates a likely, severe attack on exposed personal data critical, and a rare one on internal public data low', () => {
    expect(rate({ likelihood: 'High', severity: 'Very High', exposed: true, data: 'personal' })).toMatchObject({
      likelihood: 7,
      impact: 7.5,
      risk: 'critical',
    });
    expect(rate({ likelihood: 'Low', severity: 'Low', exposed: false, data: 'public' }).risk).toBe('low');
  });

  it('never rates lower when exposure, likelihood, severity or data sensitivity go up', () => {
    const L = ['Low', 'Medium', 'High'] as const;
    const S = ['Very Low', 'Low', 'Medium', 'High', 'Very High'] as const;
    const D = ['none', 'public', 'personal', 'sensitive'] as const;
    const idx = (r: string) => RISK_LEVELS.indexOf(r as (typeof RISK_LEVELS)[number]);
    fc.assert(
      fc.property(fc.nat(2), fc.nat(4), fc.nat(3), fc.boolean(), (l, s, d, exposed) => {
        const base = idx(rate({ likelihood: L[l]!, severity: S[s]!, exposed, data: D[d]! }).risk);
        expect(
          idx(rate({ likelihood: L[Math.min(l + 1, 2)]!, severity: S[s]!, exposed, data: D[d]! }).risk),
        ).toBeGreaterThanOrEqual(base);
        expect(
          idx(rate({ likelihood: L[l]!, severity: S[Math.min(s + 1, 4)]!, exposed, data: D[d]! }).risk),
        ).toBeGreaterThanOrEqual(base);
        expect(
          idx(rate({ likelihood: L[l]!, severity: S[s]!, exposed, data: D[Math.min(d + 1, 3)]! }).risk),
        ).toBeGreaterThanOrEqual(base);
        expect(
          idx(rate({ likelihood: L[l]!, severity: S[s]!, exposed: true, data: D[d]! }).risk),
        ).toBeGreaterThanOrEqual(base);
      }),
    );
  });

  it('orders levels for the gate and picks the most sensitive data', () => {
    expect(atLeast('critical', 'high')).toBe(true);
    expect(atLeast('medium', 'high')).toBe(false);
    expect(worstData(['public', 'sensitive', 'personal'])).toBe('sensitive');
    expect(worstData([])).toBe('none');
  });
});
