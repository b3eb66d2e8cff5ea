import type { KnowledgeBase } from '../kb/kb.ts';
import type { Analysis } from './analyze.ts';
import { byRisk, controlText, elementNames, RISK_METHOD, ratingText, suggestionText } from './report-text.ts';
import { RISK_LEVELS } from './risk.ts';

/** Escapes text from the model so Markdown renders it literally (no markup, no raw HTML, no table breaks). */
export function md(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~-]/g, (c) => `\\${c}`)
    .replace(/[\r\n]+/g, ' ');
}

/** Ids are validated to [A-Za-z0-9_.-], so a code span needs no escaping (escapes do not work inside one). */
const code = (id: string) => `\`${id.replace(/`/g, "'")}\``;

export function renderMarkdown(
  a: Analysis,
  kb: KnowledgeBase,
  diagrams: { dfd?: string; misuse?: string } = {},
): string {
  const m = a.model;
  const name = elementNames(m);
  const el = (id: string) => `${md(name.get(id) ?? id)} (${code(id)})`;
  const link = (id: string) => (kb.get(id)?.reference ? `[${id}](${kb.get(id)!.reference})` : id);
  const out: string[] = [];
  out.push(`# Threat model: ${md(m.title ?? m.model)}`, '');
  if (m.description) out.push(md(m.description), '');
  const s = a.summary;
  out.push(`${s.threats} threats: **${s.open} open**, ${s.mitigated} mitigated by declared controls.`, '');
  out.push(
    '| open risk | count |',
    '|---|---|',
    ...[...RISK_LEVELS].reverse().map((l) => `| ${l} | ${s.openByRisk[l]} |`),
    '',
  );
  if (diagrams.dfd || diagrams.misuse) {
    out.push('## Diagrams', '');
    if (diagrams.dfd) out.push(`![Data-flow diagram](${diagrams.dfd})`, '');
    if (diagrams.misuse) out.push(`![Misuse-case diagram](${diagrams.misuse})`, '');
  }

  const open = a.threats.filter((t) => t.status === 'open').sort(byRisk);
  out.push('## Open threats', '');
  if (open.length === 0) out.push('None.', '');
  else {
    out.push('| risk | threat | element | STRIDE | rating | would be mitigated by |', '|---|---|---|---|---|---|');
    for (const t of open)
      out.push(
        `| ${t.rating.risk} | ${link(t.kbId)} ${md(t.title)} | ${el(t.element)} | ${t.stride.join('')} | ${ratingText(t)} | ${t.suggestions.map((x) => md(suggestionText(x))).join('; ')} |`,
      );
    out.push('');
  }
  const mitigated = a.threats.filter((t) => t.status === 'mitigated').sort(byRisk);
  out.push('## Mitigated threats', '');
  if (mitigated.length === 0) out.push('None.', '');
  else {
    out.push('| risk before | threat | element | STRIDE | mitigated by |', '|---|---|---|---|---|');
    for (const t of mitigated)
      out.push(
        `| ${t.rating.risk} | ${link(t.kbId)} ${md(t.title)} | ${el(t.element)} | ${t.stride.join('')} | ${t.mitigatedBy.map((c) => md(controlText(c))).join('; ')} |`,
      );
    out.push('');
  }

  out.push(
    '## STRIDE per element',
    '',
    '✔ every threat of the category mitigated · ✘ some open · blank: the category does not apply to the element kind.',
    '',
  );
  out.push('| element | kind | S | T | R | I | D | E |', '|---|---|---|---|---|---|---|---|');
  const cellOf = new Map(a.stride.map((c) => [`${c.element}|${c.letter}`, c]));
  for (const e of a.elements) {
    const cells = ['S', 'T', 'R', 'I', 'D', 'E'].map((l) => {
      const c = cellOf.get(`${e.id}|${l}`);
      return c ? (c.status === 'mitigated' ? '✔' : '✘') : '';
    });
    out.push(`| ${el(e.id)} | ${e.kind} | ${cells.join(' | ')} |`);
  }
  out.push('');

  out.push('## Misuse cases', '');
  if (a.misuseCases.length === 0) out.push('None declared.', '');
  for (const r of a.misuseCases) {
    const mc = m.misuseCases.find((x) => x.id === r.id)!;
    out.push(`### ${md(r.name)} (${code(r.id)}): ${r.status}`, '');
    out.push(`- misuser: ${el(mc.misuser)}`, `- threatens: ${mc.threatens.map(el).join(', ')}`);
    out.push(
      `- mitigated by: ${mc.mitigatedBy.length ? mc.mitigatedBy.map((c) => md(m.controls.find((x) => x.id === c)!.name)).join(', ') : 'nothing declared'}`,
    );
    for (const k of r.kb)
      out.push(
        `- knowledge: ${link(k.id)} ${md(k.name)}${k.addressedBy.length ? `, addressed by ${k.addressedBy.map(md).join(', ')}` : ', not addressed'}`,
      );
    if (r.suggestedKb.length)
      out.push(
        `- no knowledge cited; matched on its targets: ${r.suggestedKb.map((id) => `${link(id)} ${md(kb.get(id)!.name)}`).join(', ')}`,
      );
    if (r.threats.length) out.push(`- matching threats in this model: ${r.threats.map(code).join(', ')}`);
    for (const why of r.reasons) out.push(`- open: ${md(why)}`);
    out.push('');
  }

  out.push('## Security requirements', '');
  if (a.requirements.length === 0) out.push('None declared.', '');
  else {
    out.push('| requirement | status | satisfied by | open threats on its elements |', '|---|---|---|---|');
    for (const r of a.requirements)
      out.push(
        `| ${md(r.id)}: ${md(r.text)} | ${r.status} | ${r.satisfiedBy.map(md).join(', ') || '—'} | ${r.openThreats.length} |`,
      );
    out.push('');
  }
  out.push('## How risk is rated', '', ...RISK_METHOD.map((l) => `- ${l}`), '');
  return out.join('\n');
}
