import type { KnowledgeBase } from '../kb/kb.ts';
import type { Analysis } from './analyze.ts';
import { byRisk, controlText, elementNames, RISK_METHOD, ratingText, suggestionText } from './report-text.ts';
import { RISK_LEVELS } from './risk.ts';
import { escapeXml as h } from './svg-util.ts';

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#1d2433}
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border:1px solid #ccd3df;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#eef2f8}.risk-critical{background:#7f1d1d;color:#fff}.risk-high{background:#fde2e1}.risk-medium{background:#fff4d6}.risk-low{background:#eef7ee}
.open{color:#b3261e;font-weight:bold}.mitigated{color:#2e7d32;font-weight:bold}code{font-size:.85em}figure{margin:1rem 0;overflow-x:auto}`;

/** Self-contained HTML report; every value from the model is escaped. Diagrams are inlined SVG. */
export function renderHtml(a: Analysis, kb: KnowledgeBase, diagrams: { dfd?: string; misuse?: string } = {}): string {
  const m = a.model;
  const name = elementNames(m);
  const el = (id: string) => `${h(name.get(id) ?? id)} <code>${h(id)}</code>`;
  const link = (id: string) => {
    const ref = kb.get(id)?.reference;
    return ref ? `<a href="${h(ref)}">${h(id)}</a>` : h(id);
  };
  const row = (cells: string[], cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const head = (cells: string[]) => `<tr>${cells.map((c) => `<th>${h(c)}</th>`).join('')}</tr>`;
  const s = a.summary;
  const out: string[] = [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>Threat model: ${h(m.title ?? m.model)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Threat model: ${h(m.title ?? m.model)}</h1>`,
  ];
  if (m.description) out.push(`<p>${h(m.description)}</p>`);
  out.push(
    `<p>${s.threats} threats: <span class="open">${s.open} open</span>, <span class="mitigated">${s.mitigated} mitigated</span> by declared controls.</p>`,
  );
  out.push(
    '<table>',
    head(['open risk', 'count']),
    ...[...RISK_LEVELS].reverse().map((l) => row([h(l), String(s.openByRisk[l])], `risk-${l}`)),
    '</table>',
  );
  if (diagrams.dfd) out.push('<h2>Data-flow diagram</h2>', `<figure>${diagrams.dfd}</figure>`);
  if (diagrams.misuse) out.push('<h2>Misuse-case diagram</h2>', `<figure>${diagrams.misuse}</figure>`);

  const open = a.threats.filter((t) => t.status === 'open').sort(byRisk);
  out.push(
    '<h2>Open threats</h2>',
    '<table>',
    head(['risk', 'threat', 'element', 'STRIDE', 'rating', 'would be mitigated by']),
  );
  for (const t of open)
    out.push(
      row(
        [
          h(t.rating.risk),
          `${link(t.kbId)} ${h(t.title)}`,
          el(t.element),
          h(t.stride.join('')),
          h(ratingText(t)),
          t.suggestions.map((x) => h(suggestionText(x))).join('<br>'),
        ],
        `risk-${t.rating.risk}`,
      ),
    );
  out.push('</table>');
  const mitigated = a.threats.filter((t) => t.status === 'mitigated').sort(byRisk);
  out.push(
    '<h2>Mitigated threats</h2>',
    '<table>',
    head(['risk before', 'threat', 'element', 'STRIDE', 'mitigated by']),
  );
  for (const t of mitigated)
    out.push(
      row([
        h(t.rating.risk),
        `${link(t.kbId)} ${h(t.title)}`,
        el(t.element),
        h(t.stride.join('')),
        t.mitigatedBy.map((c) => h(controlText(c))).join('<br>'),
      ]),
    );
  out.push('</table>');

  out.push('<h2>STRIDE per element</h2>', '<table>', head(['element', 'kind', 'S', 'T', 'R', 'I', 'D', 'E']));
  const cellOf = new Map(a.stride.map((c) => [`${c.element}|${c.letter}`, c]));
  for (const e of a.elements) {
    const cells = ['S', 'T', 'R', 'I', 'D', 'E'].map((l) => {
      const c = cellOf.get(`${e.id}|${l}`);
      return c ? (c.status === 'mitigated' ? '<span class="mitigated">✔</span>' : '<span class="open">✘</span>') : '';
    });
    out.push(row([el(e.id), h(e.kind), ...cells]));
  }
  out.push('</table>');

  out.push('<h2>Misuse cases</h2>');
  for (const r of a.misuseCases) {
    const mc = m.misuseCases.find((x) => x.id === r.id)!;
    out.push(`<h3>${h(r.name)} <code>${h(r.id)}</code>: <span class="${r.status}">${h(r.status)}</span></h3>`, '<ul>');
    out.push(`<li>misuser: ${el(mc.misuser)}</li>`, `<li>threatens: ${mc.threatens.map(el).join(', ')}</li>`);
    out.push(
      `<li>mitigated by: ${mc.mitigatedBy.length ? mc.mitigatedBy.map((c) => h(m.controls.find((x) => x.id === c)!.name)).join(', ') : 'nothing declared'}</li>`,
    );
    for (const k of r.kb)
      out.push(
        `<li>knowledge: ${link(k.id)} ${h(k.name)}${k.addressedBy.length ? `, addressed by ${k.addressedBy.map(h).join(', ')}` : ', not addressed'}</li>`,
      );
    if (r.suggestedKb.length)
      out.push(
        `<li>no knowledge cited; matched on its targets: ${r.suggestedKb.map((id) => `${link(id)} ${h(kb.get(id)!.name)}`).join(', ')}</li>`,
      );
    for (const why of r.reasons) out.push(`<li class="open">open: ${h(why)}</li>`);
    out.push('</ul>');
  }
  out.push(
    '<h2>Security requirements</h2>',
    '<table>',
    head(['requirement', 'status', 'satisfied by', 'open threats on its elements']),
  );
  for (const r of a.requirements)
    out.push(
      row([
        `${h(r.id)}: ${h(r.text)}`,
        h(r.status),
        r.satisfiedBy.map(h).join(', ') || '—',
        String(r.openThreats.length),
      ]),
    );
  out.push(
    '</table>',
    '<h2>How risk is rated</h2>',
    '<ul>',
    ...RISK_METHOD.map((l) => `<li>${h(l)}</li>`),
    '</ul>',
    '</body></html>',
    '',
  );
  return out.join('\n');
}
