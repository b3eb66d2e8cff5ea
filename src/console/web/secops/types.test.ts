import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterParams, matchesFilter, query, type AlertFilter, type AlertView } from './types.ts';

const alert = (o: Partial<AlertView> = {}): AlertView => ({
  id: 'a1',
  org: 'santander',
  rule: { id: 'suricata:1:2000001', title: 'ET TELNET brute force', kind: 'ids' },
  level: 'high',
  severity: 4,
  risk: 70,
  mitre: { technique: 'T1110', tactic: 'TA0006', tacticName: 'Credential Access', techniques: ['T1110'] },
  source: '203.0.113.9',
  destination: '10.0.0.5',
  gateway: 'gw-1',
  count: 3,
  firstSeen: 1000,
  lastSeen: 5000,
  status: 'open',
  assignee: null,
  closeReason: null,
  updatedAt: 5000,
  detail: {},
  ...o,
});
const none: AlertFilter = { status: '', minSeverity: '', rule: '', src: '', org: '', technique: '', range: 'all' };

describe('inbox filter in the browser', () => {
  it('turns the form into the API query, leaving empty fields out', () => {
    const p = filterParams(
      { ...none, status: 'open', minSeverity: '4', src: ' 203.0.113.9 ', technique: 't1110', range: '1h' },
      10_000_000,
    );
    expect(p).toEqual({
      status: 'open',
      minSeverity: 4,
      src: '203.0.113.9',
      technique: 'T1110',
      from: 10_000_000 - 3_600_000,
    });
    expect(query(p)).toBe('?status=open&minSeverity=4&src=203.0.113.9&technique=T1110&from=6400000');
    expect(query(filterParams(none, 0))).toBe('');
  });

  it('places a pushed alert only in lists whose filter it meets (as the server would)', () => {
    const a = alert();
    expect(matchesFilter(a, {})).toBe(true);
    expect(matchesFilter(a, { status: 'open,acknowledged' })).toBe(true);
    expect(matchesFilter(a, { status: 'closed' })).toBe(false);
    expect(matchesFilter(a, { minSeverity: 5 })).toBe(false);
    expect(matchesFilter(a, { rule: 'suricata:1:2000001', src: '203.0.113.9', org: 'santander' })).toBe(true);
    expect(matchesFilter(a, { org: 'fujisawa' })).toBe(false);
    expect(matchesFilter(a, { technique: 'T1046' })).toBe(false);
    expect(matchesFilter(a, { from: 6000 })).toBe(false);
    // Property: each single condition that the alert fails is enough to keep it out.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), (sev, min) => {
        expect(matchesFilter(alert({ severity: sev }), { minSeverity: min })).toBe(sev >= min);
      }),
    );
  });
});
