import { ATTACK_TACTICS } from './attack-map.ts';
import { ATTACK_TECHNIQUE_NAMES } from './attack-names.ts';
import { tacticsOfTechnique } from './mitre.ts';

/** ATT&CK's own column order (kill chain) of the Enterprise and ICS matrices. */
const ENTERPRISE = [
  'TA0043',
  'TA0042',
  'TA0001',
  'TA0002',
  'TA0003',
  'TA0004',
  'TA0005',
  'TA0006',
  'TA0007',
  'TA0008',
  'TA0009',
  'TA0011',
  'TA0010',
  'TA0040',
];
const ICS = [
  'TA0108',
  'TA0104',
  'TA0110',
  'TA0111',
  'TA0103',
  'TA0102',
  'TA0109',
  'TA0100',
  'TA0101',
  'TA0107',
  'TA0106',
  'TA0105',
];

export interface MatrixCell {
  id: string;
  name: string;
  alerts: number;
  events: number;
}
export interface MatrixColumn {
  id: string;
  name: string;
  matrix: 'enterprise' | 'ics';
  techniques: MatrixCell[];
}
export interface AttackMatrix {
  columns: MatrixColumn[];
  /** Technique ids the catalogue does not know (shown, not dropped). */
  unknown: MatrixCell[];
  maxEvents: number;
}

export function techniqueName(id: string): string | undefined {
  return ATTACK_TECHNIQUE_NAMES[id.toUpperCase()];
}

/**
 * Places technique counts in the ATT&CK matrix: a column per tactic (every Enterprise tactic, and
 * the ICS tactics when an ICS technique was seen), a cell per technique under each of its tactics.
 */
export function attackMatrix(counts: Array<{ key: string; alerts: number; events: number }>): AttackMatrix {
  const cells = new Map<string, MatrixCell[]>();
  const unknown: MatrixCell[] = [];
  let maxEvents = 0;
  for (const c of counts) {
    const id = c.key.toUpperCase();
    const name = techniqueName(id);
    const tactics = tacticsOfTechnique(id);
    const cell = { id, name: name ?? id, alerts: c.alerts, events: c.events };
    maxEvents = Math.max(maxEvents, c.events);
    if (!name || tactics.length === 0) {
      unknown.push(cell);
      continue;
    }
    for (const t of tactics) cells.set(t, [...(cells.get(t) ?? []), cell]);
  }
  const withIcs = ICS.some((t) => cells.has(t));
  const order = [
    ...ENTERPRISE.map((id) => [id, 'enterprise'] as const),
    ...(withIcs ? ICS.map((id) => [id, 'ics'] as const) : []),
  ];
  const columns = order.map(([id, matrix]) => ({
    id,
    name: ATTACK_TACTICS[id] ?? id,
    matrix,
    techniques: (cells.get(id) ?? []).sort((a, b) => b.events - a.events || a.id.localeCompare(b.id)),
  }));
  return { columns, unknown, maxEvents };
}
