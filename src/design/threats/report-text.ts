import type { KnowledgeBase } from '../kb/kb.ts';
import type { Threat } from './analyze.ts';
import type { ThreatModel } from './model-types.ts';
import { RISK_LEVELS } from './risk.ts';

const ids = new Intl.Collator('en', { numeric: true });

/** Shared wording of the Markdown and HTML reports. Worst first, then by id (CWE-20 before CWE-100). */
export const byRisk = (a: Threat, b: Threat) =>
  RISK_LEVELS.indexOf(b.rating.risk) - RISK_LEVELS.indexOf(a.rating.risk) ||
  b.rating.likelihood * b.rating.impact - a.rating.likelihood * a.rating.impact ||
  ids.compare(a.id, b.id);

export const ratingText = (t: Threat) =>
  `L ${t.rating.likelihood.toFixed(1)} (${t.rating.likelihoodBand}) × I ${t.rating.impact.toFixed(1)} (${t.rating.impactBand})`;

export const controlText = (c: Threat['mitigatedBy'][number]) =>
  `${c.name} (${c.id}, by ${c.implementedBy}${c.module ? `, msec ${c.module}` : ''})`;

export const suggestionText = (s: Threat['suggestions'][number]) =>
  s.module ? `${s.name} (msec ${s.module})` : `${s.name} (not in msec)`;

export const kbRef = (kb: KnowledgeBase, id: string) => kb.get(id)?.reference;

export const RISK_METHOD = [
  'Risk follows the OWASP Risk Rating Methodology: likelihood and impact are each scored from 0 to 9 and banded LOW (below 3), MEDIUM (3 to below 6) or HIGH (6 and above).',
  'Likelihood = mean of the attack likelihood (CAPEC scale: Low 1, Medium 4, High 7) and the exposure (7 when the element receives a flow across a trust boundary or is an actor, else 2).',
  'Impact = mean of the technical impact (typical severity: Very Low 1, Low 2, Medium 4, High 6, Very High 8) and the business impact (most sensitive data on the element: sensitive 8, personal 7, public 2, none 1).',
  'Overall: impact HIGH → medium/high/critical, MEDIUM → low/medium/high, LOW → low/low/medium for likelihood LOW/MEDIUM/HIGH (OWASP\'s "Note" is reported as low).',
  'A threat is mitigated when a declared control covering the element is an instance of one of the countermeasures the knowledge base lists for it; otherwise it is open.',
];

/** Display name of every nameable element (flows without a name read "from → to"). */
export function elementNames(m: ThreatModel): Map<string, string> {
  const names = new Map<string, string>();
  for (const x of [...m.actors, ...m.components, ...m.assets, ...m.useCases]) names.set(x.id, x.name);
  for (const f of m.flows) names.set(f.id, f.name ?? `${f.from} → ${f.to}`);
  return names;
}
