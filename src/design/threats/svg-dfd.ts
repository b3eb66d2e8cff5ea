import type { Analysis } from './analyze.ts';
import { atLeast } from './risk.ts';
import { edgePoint, escapeXml, svgDocument, textBlock, wrap, type Box } from './svg-util.ts';

const NODE_W = 170;
const NODE_H = 58;
const COL_GAP = 120;
const ROW_GAP = 34;
const PAD = 30;
const HEADER = 34;

/**
 * Data-flow diagram: one column per trust boundary (dashed), elements stacked in it: actors as
 * rectangles, processes as rounded boxes, data stores as open-ended boxes; flows as arrows labelled
 * with their protocol. Elements and flows with an open high or critical threat are outlined in red.
 */
export function renderDfd(a: Analysis): string {
  const m = a.model;
  // misusers stay off the data-flow diagram unless a flow involves them
  const drawn = new Set([
    ...m.actors
      .filter((x) => x.role !== 'misuser' || m.flows.some((f) => f.from === x.id || f.to === x.id))
      .map((x) => x.id),
    ...m.components.map((c) => c.id),
  ]);
  const columns: { id: string; name: string; members: string[] }[] = m.boundaries
    .map((b) => ({ id: b.id, name: b.name, members: b.members.filter((id) => drawn.has(id)) }))
    .filter((c) => c.members.length > 0);
  const bounded = new Set(m.boundaries.flatMap((b) => b.members));
  const outside = [...drawn].filter((id) => !bounded.has(id));
  if (outside.length) columns.push({ id: '', name: 'outside any boundary', members: outside });

  const hot = new Set(
    a.threats.filter((t) => t.status === 'open' && atLeast(t.rating.risk, 'high')).map((t) => t.element),
  );
  const actor = new Map(m.actors.map((x) => [x.id, x]));
  const comp = new Map(m.components.map((c) => [c.id, c]));
  const boxes = new Map<string, Box>();
  const body: string[] = [];
  const rows = Math.max(1, ...columns.map((c) => c.members.length));
  const colOf = new Map(columns.flatMap((c, i) => c.members.map((id) => [id, i] as const)));
  // flows that skip a column run in a corridor under the columns instead of through their boxes
  const longFlows = m.flows.filter(
    (f) => colOf.has(f.from) && colOf.has(f.to) && Math.abs(colOf.get(f.from)! - colOf.get(f.to)!) > 1,
  );
  const bottom = PAD + HEADER + rows * (NODE_H + ROW_GAP);
  const height = bottom + PAD + longFlows.length * 20;
  columns.forEach((col, i) => {
    const x = PAD + i * (NODE_W + COL_GAP);
    if (col.id)
      body.push(
        `<rect x="${x - 14}" y="${PAD - 10}" width="${NODE_W + 28}" height="${bottom - PAD}" rx="10" fill="#f6f8fb" stroke="#7a8699" stroke-dasharray="7 5"/>`,
      );
    body.push(
      textBlock(x + NODE_W / 2, PAD + 8, wrap(col.id ? col.name : `(${col.name})`, 26, 1), {
        size: 12,
        fill: '#44506a',
        weight: 'bold',
      }),
    );
    col.members.forEach((id, j) =>
      boxes.set(id, { x, y: PAD + HEADER + j * (NODE_H + ROW_GAP), w: NODE_W, h: NODE_H }),
    );
  });

  // flows first so that nodes are drawn over their ends
  const pairCount = new Map<string, number>();
  const placed: [number, number][] = [];
  for (const f of m.flows) {
    const s = boxes.get(f.from);
    const t = boxes.get(f.to);
    if (!s || !t) continue;
    const key = [f.from, f.to].sort().join('|');
    const nth = pairCount.get(key) ?? 0;
    pairCount.set(key, nth + 1);
    const red = hot.has(f.id);
    const colour = red ? '#b3261e' : '#444';
    const sc: [number, number] = [s.x + s.w / 2, s.y + s.h / 2];
    const tc: [number, number] = [t.x + t.w / 2, t.y + t.h / 2];
    let path: string;
    let label: [number, number];
    const lane = longFlows.indexOf(f);
    if (lane >= 0) {
      // out of the source's side, down the gap beside its column, along the corridor, up beside the target
      const right = t.x > s.x;
      const [x1, x2] = right ? [s.x + s.w, t.x] : [s.x, t.x + t.w];
      const gap1 = right ? x1 + 30 + (lane % 3) * 12 : x1 - 30 - (lane % 3) * 12;
      const gap2 = right ? x2 - 30 - (lane % 3) * 12 : x2 + 30 + (lane % 3) * 12;
      const y = bottom + 6 + lane * 20;
      path = `M${x1},${sc[1]} H${gap1} V${y} H${gap2} V${tc[1]} H${x2}`;
      label = [(gap1 + gap2) / 2, y];
    } else if (s.x === t.x) {
      // same column: bow out to the right, further for ends further apart, so bows do not overlap
      const [x1, y1] = [s.x + s.w, sc[1]];
      const [x2, y2] = [t.x + t.w, tc[1]];
      const bow = 24 + Math.abs(y2 - y1) * 0.3 + nth * 18;
      path = `M${x1},${y1} C${x1 + bow},${y1} ${x2 + bow},${y2} ${x2},${y2}`;
      label = [x1 + bow * 0.75, (y1 + y2) / 2];
    } else {
      const [x1, y1] = edgePoint(s, tc[0], tc[1] + nth * 8);
      const [x2, y2] = edgePoint(t, sc[0], sc[1] + nth * 8);
      const off = nth * 10;
      path = `M${x1.toFixed(1)},${(y1 + off).toFixed(1)} L${x2.toFixed(1)},${(y2 + off).toFixed(1)}`;
      label = [(x1 + x2) / 2, (y1 + y2) / 2 + off];
    }
    body.push(
      `<path d="${path}" fill="none" stroke="${colour}" stroke-width="${red ? 2 : 1.4}" marker-end="url(#${red ? 'arrow-red' : 'arrow'})"><title>${escapeXml(`${f.id}: ${f.from} → ${f.to} (${f.protocol})`)}</title></path>`,
    );
    // nudge a label off any already placed (bounded), so crossing flows keep readable protocols
    for (
      let tries = 0;
      tries < 6 && placed.some(([x, y]) => Math.abs(x - label[0]) < 44 && Math.abs(y - label[1]) < 16);
      tries++
    )
      label = [label[0], label[1] + 17];
    placed.push(label);
    const text = f.protocol;
    body.push(
      `<rect x="${(label[0] - text.length * 3.6 - 4).toFixed(1)}" y="${(label[1] - 8).toFixed(1)}" width="${(text.length * 7.2 + 8).toFixed(1)}" height="16" rx="3" fill="#ffffff" fill-opacity="0.9"/>`,
    );
    body.push(textBlock(label[0], label[1], [text], { size: 11, fill: colour }));
  }

  for (const [id, b] of boxes) {
    const stroke = hot.has(id) ? '#b3261e' : '#2d3a52';
    const sw = hot.has(id) ? 2.2 : 1.4;
    const c = comp.get(id);
    const name = actor.get(id)?.name ?? c?.name ?? id;
    const sub = actor.has(id)
      ? actor.get(id)!.role === 'misuser'
        ? 'misuser'
        : 'actor'
      : c!.kind === 'msec'
        ? `msec ${c!.module}`
        : 'external';
    if (actor.has(id))
      body.push(
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="#fff7e0" stroke="${stroke}" stroke-width="${sw}"/>`,
      );
    else if (c!.element === 'datastore')
      body.push(
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="#eef6ee" stroke="none"/><path d="M${b.x},${b.y} H${b.x + b.w} M${b.x},${b.y + b.h} H${b.x + b.w}" stroke="${stroke}" stroke-width="${sw}"/>`,
      );
    else
      body.push(
        `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="26" fill="${c!.kind === 'msec' ? '#e8f0fe' : '#f1f1f1'}" stroke="${stroke}" stroke-width="${sw}"/>`,
      );
    body.push(textBlock(b.x + b.w / 2, b.y + b.h / 2 - 6, wrap(name, 24, 2), { size: 12 }));
    body.push(textBlock(b.x + b.w / 2, b.y + b.h - 10, [sub], { size: 10, fill: '#5f6b80' }));
  }
  const width = PAD * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP + 80;
  return svgDocument(width, height, `Data-flow diagram: ${m.title ?? m.model}`, body);
}
