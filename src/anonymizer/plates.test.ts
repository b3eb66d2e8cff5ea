import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxArea, intersection } from './geometry.ts';
import { parseOptions } from './options.ts';
import { PlateDetector } from './plates.ts';
import { renderFrame } from './render.ts';
import type { Box, Frame } from './types.ts';

const W = 640,
  H = 400;
const CAR: Box = { x: 120, y: 80, w: 400, h: 260 };
const PLATE: Box = { x: 250, y: 270, w: 140, h: 40 };

/** A street picture with a car seen from behind: body, window, lights and a white plate (with or without its text). */
async function scene(text: string | undefined): Promise<Frame> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <rect width="${W}" height="${H}" fill="#8a9098"/>
    <rect x="0" y="330" width="${W}" height="70" fill="#55585c"/>
    <rect x="${CAR.x}" y="${CAR.y}" width="${CAR.w}" height="${CAR.h}" rx="30" fill="#1f3b73"/>
    <rect x="170" y="100" width="300" height="90" rx="12" fill="#2b2f36"/>
    <rect x="140" y="230" width="60" height="30" fill="#b3121a"/><rect x="440" y="230" width="60" height="30" fill="#b3121a"/>
    <rect x="${PLATE.x}" y="${PLATE.y}" width="${PLATE.w}" height="${PLATE.h}" fill="#f4f4f0" stroke="#111" stroke-width="2"/>
    ${text ? `<text x="${PLATE.x + PLATE.w / 2}" y="${PLATE.y + 30}" font-family="DejaVu Sans" font-weight="bold" font-size="26" text-anchor="middle" fill="#111">${text}</text>` : ''}
  </svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function variance(frame: Frame, b: Box): number {
  let s = 0,
    s2 = 0,
    n = 0;
  for (let y = b.y; y < b.y + b.h; y++)
    for (let x = b.x; x < b.x + b.w; x++) {
      const v = frame.data[(y * frame.width + x) * 3]!;
      s += v;
      s2 += v * v;
      n++;
    }
  return s2 / n - (s / n) ** 2;
}

describe('plates: PP-OCR text detection inside kept vehicles', () => {
  let plates: PlateDetector;
  beforeAll(async () => {
    plates = await PlateDetector.load({ minScore: 0.5 });
  });
  afterAll(() => plates?.close());

  it('finds the plate text inside the vehicle box, and nothing on a blank plate', async () => {
    const found = await plates.detect(await scene('KA 4321'), [CAR]);
    expect(found.length).toBeGreaterThanOrEqual(1);
    const best = found.reduce((a, b) =>
      boxArea(intersection(b.box, PLATE)) > boxArea(intersection(a.box, PLATE)) ? b : a,
    );
    expect(best.label).toBe('plate');
    expect(best.score).toBeGreaterThanOrEqual(0.5);
    // The text box lies on the plate and covers most of its text line.
    const cx = best.box.x + best.box.w / 2,
      cy = best.box.y + best.box.h / 2;
    expect(cx).toBeGreaterThan(PLATE.x);
    expect(cx).toBeLessThan(PLATE.x + PLATE.w);
    expect(cy).toBeGreaterThan(PLATE.y);
    expect(cy).toBeLessThan(PLATE.y + PLATE.h);
    expect(best.box.w).toBeGreaterThan(0.5 * PLATE.w);
    // Every text box found is inside the car (vehicles are searched, not the street).
    for (const f of found) expect(boxArea(intersection(f.box, CAR))).toBeGreaterThan(0.9 * boxArea(f.box));

    expect(await plates.detect(await scene(undefined), [CAR])).toEqual([]);
  });

  it('plates=detect blurs the plate of a kept car and leaves the rest of the car alone', async () => {
    const frame = await scene('KA 4321');
    const before: Frame = { ...frame, data: new Uint8Array(frame.data) };
    const found = await plates.detect(frame, [CAR]);
    const o = parseOptions({ classes: 'person', plates: 'detect', faces: 'off' });
    const r = await renderFrame(frame, [{ label: 'car', score: 0.9, box: CAR }, ...found], o);
    expect(r.platesBlurred).toBeGreaterThanOrEqual(1);
    const text: Box = { x: PLATE.x + 15, y: PLATE.y + 8, w: PLATE.w - 30, h: PLATE.h - 16 };
    // Sharp black-on-white glyphs have a large variance; blurred, far less.
    expect(variance(frame, text)).toBeLessThan(0.5 * variance(before, text));
    const windowPx = (120 * W + 320) * 3;
    expect([...frame.data.subarray(windowPx, windowPx + 3)]).toEqual([...before.data.subarray(windowPx, windowPx + 3)]);
  });
});
