/** Small helpers for the diagrams the tool draws itself (no layout engine is needed at this size). */

export const escapeXml = (s: string): string =>
  s
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** Splits text into lines of at most `max` characters at spaces (long words are cut). */
export function wrap(text: string, max: number, maxLines = 3): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const w = word.length > max ? word.slice(0, max - 1) + '…' : word;
    if (line && line.length + 1 + w.length > max) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) return [...lines.slice(0, maxLines - 1), lines[maxLines - 1]!.slice(0, max - 1) + '…'];
  return lines.length ? lines : [''];
}

/** Centred multi-line text. */
export function textBlock(
  x: number,
  y: number,
  lines: string[],
  opts: { size?: number; fill?: string; weight?: string } = {},
): string {
  const size = opts.size ?? 12;
  const top = y - ((lines.length - 1) * (size + 2)) / 2;
  const tspans = lines
    .map((l, i) => `<tspan x="${x}" y="${(top + i * (size + 2)).toFixed(1)}">${escapeXml(l)}</tspan>`)
    .join('');
  return `<text text-anchor="middle" dominant-baseline="middle" font-size="${size}"${opts.fill ? ` fill="${opts.fill}"` : ''}${opts.weight ? ` font-weight="${opts.weight}"` : ''}>${tspans}</text>`;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The point where the segment from the box centre towards (tx, ty) leaves the box. */
export function edgePoint(b: Box, tx: number, ty: number): [number, number] {
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const s = Math.min(Math.abs(b.w / 2 / (dx || 1e-9)), Math.abs(b.h / 2 / (dy || 1e-9)));
  return [cx + dx * s, cy + dy * s];
}

export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<title>${escapeXml(title)}</title>`,
    '<defs>',
    '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker>',
    '<marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b3261e"/></marker>',
    '<marker id="arrow-green" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#2e7d32"/></marker>',
    '</defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
