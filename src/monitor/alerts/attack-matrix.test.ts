import { describe, expect, it } from 'vitest';
import { attackMatrix, techniqueName } from './attack-matrix.ts';

describe('ATT&CK matrix of alert techniques', () => {
  it('puts each technique under every tactic it serves, named from the catalogue', () => {
    const m = attackMatrix([
      { key: 'T1110', alerts: 2, events: 9 },
      { key: 't1046', alerts: 1, events: 3 },
      { key: 'T1078', alerts: 1, events: 1 },
    ]);
    expect(m.columns.map((c) => c.name).slice(0, 3)).toEqual([
      'Reconnaissance',
      'Resource Development',
      'Initial Access',
    ]);
    expect(m.columns).toHaveLength(14); // Enterprise only: no ICS technique seen
    const col = (name: string) => m.columns.find((c) => c.name === name)!;
    expect(col('Credential Access').techniques).toEqual([{ id: 'T1110', name: 'Brute Force', alerts: 2, events: 9 }]);
    expect(col('Discovery').techniques.map((t) => t.name)).toEqual(['Network Service Discovery']);
    // Valid Accounts serves four tactics: it appears in each.
    const valid = m.columns.filter((c) => c.techniques.some((t) => t.id === 'T1078')).map((c) => c.id);
    expect(valid.sort()).toEqual(['TA0001', 'TA0003', 'TA0004', 'TA0005']);
    expect(m.maxEvents).toBe(9);
  });

  it('adds the ICS columns when an ICS technique is seen, and keeps unknown ids visible', () => {
    const m = attackMatrix([
      { key: 'T0855', alerts: 1, events: 4 },
      { key: 'T9999', alerts: 1, events: 1 },
    ]);
    expect(m.columns).toHaveLength(26);
    const ics = m.columns.filter((c) => c.matrix === 'ics' && c.techniques.length > 0);
    expect(ics.map((c) => [c.name, c.techniques[0]!.name])).toEqual([
      ['Impair Process Control', 'Unauthorized Command Message'],
    ]);
    expect(m.unknown).toEqual([{ id: 'T9999', name: 'T9999', alerts: 1, events: 1 }]);
    expect(techniqueName('t1110.001')).toBe('Password Guessing');
  });
});
