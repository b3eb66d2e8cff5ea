import type { Analysis } from './analyze.ts';
import { edgePoint, escapeXml, svgDocument, textBlock, wrap, type Box } from './svg-util.ts';

const COLS = { actor: 30, useCase: 230, misuse: 520, control: 810, misuser: 1090 };
const W = { actor: 130, useCase: 220, misuse: 220, control: 210, misuser: 130 };
const ROW = 84;
const TOP = 60;

/**
 * Misuse-case diagram (Sindre and Opdahl): actors and their use cases on the left, misuse cases
 * (black) and the misusers who perform them on the right, «threatens» arrows from misuse cases to
 * what they threaten and «mitigates» arrows from the declared controls. Open misuse cases are outlined in red.
 */
export function renderMisuse(a: Analysis): string {
  const m = a.model;
  const body: string[] = [];
  const boxes = new Map<string, Box>();
  const place = (ids: string[], col: keyof typeof COLS) =>
    ids.forEach((id, i) => boxes.set(id, { x: COLS[col], y: TOP + i * ROW, w: W[col], h: 52 }));
  const threatened = [...new Set(m.misuseCases.flatMap((mc) => mc.threatens))];
  const useCaseCol = [...m.useCases.map((u) => u.id), ...threatened.filter((t) => !m.useCases.some((u) => u.id === t))];
  const controls = [...new Set(m.misuseCases.flatMap((mc) => mc.mitigatedBy))];
  place(
    m.actors.filter((x) => x.role === 'user').map((x) => x.id),
    'actor',
  );
  place(useCaseCol, 'useCase');
  place(
    m.misuseCases.map((mc) => mc.id),
    'misuse',
  );
  place(controls, 'control');
  place(
    m.actors.filter((x) => x.role === 'misuser').map((x) => x.id),
    'misuser',
  );
  const rows = Math.max(1, ...[...boxes.values()].map((b) => (b.y - TOP) / ROW + 1));
  const height = TOP + rows * ROW + 50;
  const heads: [keyof typeof COLS, string][] = [
    ['actor', 'Actors'],
    ['useCase', 'Use cases and assets'],
    ['misuse', 'Misuse cases'],
    ['control', 'Controls'],
    ['misuser', 'Misusers'],
  ];
  for (const [col, label] of heads)
    body.push(textBlock(COLS[col] + W[col] / 2, 28, [label], { size: 13, weight: 'bold', fill: '#44506a' }));

  const line = (from: string, to: string, style: 'plain' | 'threatens' | 'mitigates') => {
    const s = boxes.get(from);
    const t = boxes.get(to);
    if (!s || !t) return;
    const [x1, y1] = edgePoint(s, t.x + t.w / 2, t.y + t.h / 2);
    const [x2, y2] = edgePoint(t, s.x + s.w / 2, s.y + s.h / 2);
    const colour = style === 'threatens' ? '#b3261e' : style === 'mitigates' ? '#2e7d32' : '#555';
    const marker =
      style === 'threatens'
        ? ' marker-end="url(#arrow-red)"'
        : style === 'mitigates'
          ? ' marker-end="url(#arrow-green)"'
          : '';
    const dash = style === 'plain' ? '' : ' stroke-dasharray="6 4"';
    body.push(
      `<path d="M${x1.toFixed(1)},${y1.toFixed(1)} L${x2.toFixed(1)},${y2.toFixed(1)}" stroke="${colour}" stroke-width="1.3" fill="none"${dash}${marker}><title>${escapeXml(style === 'plain' ? `${from} — ${to}` : `${from} «${style}» ${to}`)}</title></path>`,
    );
  };
  for (const u of m.useCases) line(u.actor, u.id, 'plain');
  for (const mc of m.misuseCases) {
    line(mc.misuser, mc.id, 'plain');
    mc.threatens.forEach((t) => line(mc.id, t, 'threatens'));
    mc.mitigatedBy.forEach((c) => line(c, mc.id, 'mitigates'));
  }

  const status = new Map(a.misuseCases.map((r) => [r.id, r.status]));
  const names = new Map<string, string>(
    [...m.actors, ...m.useCases, ...m.misuseCases, ...m.controls, ...m.assets, ...m.components, ...m.flows].map((x) => [
      x.id,
      (x as { name?: string }).name ?? x.id,
    ]),
  );
  for (const [id, b] of boxes) {
    const cx = b.x + b.w / 2;
    const cy = b.y + b.h / 2;
    const name = names.get(id) ?? id;
    if (m.actors.some((x) => x.id === id)) {
      const mis = m.actors.find((x) => x.id === id)!.role === 'misuser';
      const c = mis ? '#111' : '#2d3a52';
      body.push(
        `<g stroke="${c}" stroke-width="1.6" fill="${mis ? '#111' : '#fff'}"><circle cx="${cx}" cy="${b.y + 7}" r="7"/><path d="M${cx},${b.y + 14} V${b.y + 30} M${cx - 12},${b.y + 20} H${cx + 12} M${cx},${b.y + 30} L${cx - 10},${b.y + 42} M${cx},${b.y + 30} L${cx + 10},${b.y + 42}" fill="none"/></g>`,
      );
      body.push(textBlock(cx, b.y + 56, wrap(name, 22, 2), { size: 11 }));
    } else if (m.misuseCases.some((x) => x.id === id)) {
      const open = status.get(id) === 'open';
      body.push(
        `<ellipse cx="${cx}" cy="${cy}" rx="${b.w / 2}" ry="${b.h / 2}" fill="#111" stroke="${open ? '#e53935' : '#111'}" stroke-width="${open ? 3 : 1}"/>`,
      );
      body.push(textBlock(cx, cy, wrap(name, 30, 2), { size: 11, fill: '#ffffff' }));
    } else if (m.useCases.some((x) => x.id === id)) {
      body.push(
        `<ellipse cx="${cx}" cy="${cy}" rx="${b.w / 2}" ry="${b.h / 2}" fill="#ffffff" stroke="#2d3a52" stroke-width="1.4"/>`,
      );
      body.push(textBlock(cx, cy, wrap(name, 30, 2), { size: 11 }));
    } else if (controls.includes(id)) {
      body.push(
        `<rect x="${b.x}" y="${b.y + 6}" width="${b.w}" height="${b.h - 12}" rx="6" fill="#e8f5e9" stroke="#2e7d32" stroke-width="1.4"/>`,
      );
      body.push(textBlock(cx, cy, wrap(name, 30, 2), { size: 11 }));
    } else {
      body.push(
        `<rect x="${b.x + 20}" y="${b.y + 8}" width="${b.w - 40}" height="${b.h - 16}" fill="#f1f1f1" stroke="#7a8699"/>`,
      );
      body.push(textBlock(cx, cy, wrap(name, 26, 2), { size: 11 }));
    }
  }
  // one legend instead of a label on every arrow (labels on crossing diagonals land on the wrong line)
  const ly = height - 22;
  body.push(
    `<path d="M${COLS.useCase},${ly} h40" stroke="#b3261e" stroke-dasharray="6 4" marker-end="url(#arrow-red)"/>`,
    textBlock(COLS.useCase + 90, ly, ['«threatens»'], { size: 11, fill: '#b3261e' }),
  );
  body.push(
    `<path d="M${COLS.misuse},${ly} h40" stroke="#2e7d32" stroke-dasharray="6 4" marker-end="url(#arrow-green)"/>`,
    textBlock(COLS.misuse + 90, ly, ['«mitigates»'], { size: 11, fill: '#2e7d32' }),
  );
  body.push(
    `<ellipse cx="${COLS.control + 20}" cy="${ly}" rx="18" ry="9" fill="#111" stroke="#e53935" stroke-width="3"/>`,
    textBlock(COLS.control + 110, ly, ['misuse case still open'], { size: 11 }),
  );
  return svgDocument(COLS.misuser + W.misuser + 30, height, `Misuse-case diagram: ${m.title ?? m.model}`, body);
}
