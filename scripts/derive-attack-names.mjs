/**
 * Writes src/monitor/alerts/attack-names.ts (technique id -> name, Enterprise and ICS, active
 * techniques and sub-techniques) from the shared MITRE catalogue: `node scripts/derive-attack-names.mjs`.
 * The catalogue is ../shared/testdata/mitre/attack-techniques.json (see its README for provenance).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dir = join(root, '..', 'shared', 'testdata', 'mitre');
const names = JSON.parse(readFileSync(join(dir, 'attack-techniques.json'), 'utf8'));
const { attack } = JSON.parse(readFileSync(join(dir, 'sources.json'), 'utf8'));
const ids = Object.keys(names).sort();
const lines = ids.map((id) => `  '${id}': ${JSON.stringify(names[id])},`);
const out = `/**
 * Derived from MITRE ATT&CK (${attack.repo} @ ${attack.commit}, ${attack.release}), Enterprise and ICS matrices:
 * the name of every active technique and sub-technique. (c) The MITRE Corporation, reproduced under the ATT&CK
 * terms of use (royalty-free, with this designation). Regenerate with \`node scripts/derive-attack-names.mjs\`.
 */
export const ATTACK_TECHNIQUE_NAMES: Record<string, string> = {
${lines.join('\n')}
};
`;
writeFileSync(join(root, 'src', 'monitor', 'alerts', 'attack-names.ts'), out);
console.log(`${ids.length} technique names written`);
