import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackgroundModel } from './background.ts';
import { fillBlur, fillInpaint, fillPixelate, fillSolid } from './fill.ts';
import { emptyMask, paintBox } from './mask.ts';
import type { Frame } from './types.ts';

function noise(w: number, h: number, seed: number): Frame {
  const data = new Uint8Array(w * h * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { width: w, height: h, data };
}

function changedOutside(before: Uint8Array, after: Frame, mask: Uint8Array): number {
  let n = 0;
  for (let p = 0; p < mask.length; p++)
    if (
      !mask[p] &&
      (before[p * 3] !== after.data[p * 3] ||
        before[p * 3 + 1] !== after.data[p * 3 + 1] ||
        before[p * 3 + 2] !== after.data[p * 3 + 2])
    )
      n++;
  return n;
}

const region = fc.record({
  x: fc.integer({ min: 0, max: 30 }),
  y: fc.integer({ min: 0, max: 20 }),
  w: fc.integer({ min: 2, max: 20 }),
  h: fc.integer({ min: 2, max: 15 }),
});

describe('fills', () => {
  it('blur, pixelate and solid change no pixel outside the mask', () => {
    fc.assert(
      fc.property(region, fc.integer(), fc.constantFrom('blur', 'pixelate', 'solid'), (b, seed, how) => {
        const f = noise(48, 36, seed);
        const before = new Uint8Array(f.data);
        const m = emptyMask(48, 36);
        paintBox(m, b);
        if (how === 'blur') fillBlur(f, m, 4);
        else if (how === 'pixelate') fillPixelate(f, m, 4);
        else fillSolid(f, m);
        expect(changedOutside(before, f, m.data)).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('blur and pixelate flatten the masked noise', () => {
    for (const fill of [
      (f: Frame, m: ReturnType<typeof emptyMask>) => fillBlur(f, m, 6),
      (f: Frame, m: ReturnType<typeof emptyMask>) => fillPixelate(f, m, 8),
    ]) {
      const f = noise(64, 64, 7);
      const m = emptyMask(64, 64);
      paintBox(m, { x: 16, y: 16, w: 32, h: 32 });
      const spread = (fr: Frame) => {
        let s = 0;
        for (let y = 17; y < 47; y++)
          for (let x = 17; x < 47; x++) s += Math.abs(fr.data[(y * 64 + x) * 3]! - fr.data[(y * 64 + x + 1) * 3]!);
        return s;
      };
      const before = spread(f);
      fill(f, m);
      expect(spread(f)).toBeLessThan(before / 3);
    }
  });

  it('inpainting fills a hole in a flat picture with its colour and leaves the rest', async () => {
    const f: Frame = { width: 80, height: 60, data: new Uint8Array(80 * 60 * 3) };
    for (let p = 0; p < 80 * 60; p++) f.data.set([30, 140, 60], p * 3);
    const m = emptyMask(80, 60);
    paintBox(m, { x: 30, y: 20, w: 15, h: 20 });
    for (let p = 0; p < 80 * 60; p++) if (m.data[p]) f.data.set([255, 0, 255], p * 3);
    await fillInpaint(f, m, { method: 'telea', maxHole: 100, holeSize: 20 });
    const centre = (30 * 80 + 37) * 3;
    expect(Math.abs(f.data[centre]! - 30)).toBeLessThan(12);
    expect(Math.abs(f.data[centre + 1]! - 140)).toBeLessThan(12);
    expect(f.data[0]).toBe(30);
  });

  it('the background model fills from the median of frames where the pixel was free, and hands back the rest', () => {
    const bg = new BackgroundModel({ sampleEvery: 1, samples: 5, minValid: 3 });
    const w = 10,
      h = 10;
    const scene = (v: number): Frame => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) });
    const walker = emptyMask(w, h);
    paintBox(walker, { x: 0, y: 0, w: 3, h: 3 });
    const parked = emptyMask(w, h);
    paintBox(parked, { x: 7, y: 7, w: 3, h: 3 });
    // Four frames of background value 100 (one odd frame of 200), the top-right corner always masked.
    for (const v of [100, 100, 200, 100]) {
      const m = emptyMask(w, h);
      m.data.set(parked.data);
      bg.observe(scene(v), m);
    }
    const frame = scene(0);
    const both = emptyMask(w, h);
    for (let i = 0; i < both.data.length; i++) both.data[i] = walker.data[i] || parked.data[i] ? 255 : 0;
    const rest = bg.fill(frame, both);
    expect(frame.data[0]).toBe(100);
    expect(rest.data[0]).toBe(0);
    expect(rest.data[9 * w + 9]).toBe(255);
    expect(frame.data[(9 * w + 9) * 3]).toBe(0);
  });
});
