import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coverage,
  emptyMask,
  maskBounds,
  maskedCount,
  paintBox,
  paintObject,
  paintShadow,
  paintSilhouette,
} from './mask.ts';

const box = fc.record({
  x: fc.integer({ min: -20, max: 120 }),
  y: fc.integer({ min: -20, max: 80 }),
  w: fc.integer({ min: 1, max: 60 }),
  h: fc.integer({ min: 1, max: 60 }),
});

describe('masks', () => {
  it('a painted silhouette equals a brute-force square dilation, clipped', () => {
    const region = fc.record({
      x: fc.integer({ min: -5, max: 30 }),
      y: fc.integer({ min: -5, max: 30 }),
      w: fc.integer({ min: 1, max: 12 }),
      h: fc.integer({ min: 1, max: 12 }),
      seed: fc.uint8Array({ minLength: 144, maxLength: 144 }),
    });
    fc.assert(
      fc.property(region, fc.integer({ min: 0, max: 4 }), box, ({ seed, ...r }, radius, clip) => {
        const data = new Uint8Array(r.w * r.h).map((_, i) => (seed[i]! > 200 ? 255 : 0));
        const m = emptyMask(40, 30);
        paintSilhouette(m, { ...r, data }, radius, clip);
        const wrong: string[] = [];
        for (let y = 0; y < 30; y++)
          for (let x = 0; x < 40; x++) {
            let want = false;
            const inClip = x >= clip.x && x < clip.x + clip.w && y >= clip.y && y < clip.y + clip.h;
            for (let sy = 0; sy < r.h && inClip && !want; sy++)
              for (let sx = 0; sx < r.w; sx++)
                if (data[sy * r.w + sx] && Math.abs(r.x + sx - x) <= radius && Math.abs(r.y + sy - y) <= radius)
                  want = true;
            if ((m.data[y * 40 + x] === 255) !== want) wrong.push(`${x},${y}`);
          }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a painted box is fully covered and nothing outside it is', () => {
    fc.assert(
      fc.property(box, (b) => {
        const m = emptyMask(100, 60);
        paintBox(m, b);
        expect(coverage(m, b)).toBe(1);
        const inside =
          Math.max(0, Math.min(100, b.x + b.w) - Math.max(0, b.x)) *
          Math.max(0, Math.min(60, b.y + b.h) - Math.max(0, b.y));
        expect(maskedCount(m)).toBe(inside);
      }),
    );
  });

  it('the shadow wedge lies below the object and widens by one pixel a row on each side', () => {
    const m = emptyMask(100, 100);
    paintShadow(m, { x: 40, y: 10, w: 10, h: 30 }, 1 / 3);
    const bounds = maskBounds(m)!;
    expect(bounds.y).toBe(40);
    expect(bounds.h).toBe(10);
    const row = (y: number) => Array.from(m.data.subarray(y * 100, y * 100 + 100)).filter(Boolean).length;
    expect(row(40)).toBe(10);
    expect(row(49)).toBe(28);
  });

  it('growth covers the object with a margin that grows with the dilation', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 0, max: 10 }),
        (dilation, dilationPx) => {
          const m = emptyMask(200, 200);
          const b = { x: 80, y: 50, w: 20, h: 40 };
          paintObject(m, b, { dilation, dilationPx, shadow: 0 });
          expect(coverage(m, b)).toBe(1);
          const grownLeft = Math.floor(80 - 20 * dilation - dilationPx);
          expect(maskBounds(m)!.x).toBe(Math.max(0, grownLeft));
        },
      ),
    );
  });

  it('coverage is the masked share of the box', () => {
    const m = emptyMask(10, 10);
    paintBox(m, { x: 0, y: 0, w: 5, h: 10 });
    expect(coverage(m, { x: 0, y: 0, w: 10, h: 10 })).toBe(0.5);
    expect(coverage(m, { x: 5, y: 0, w: 5, h: 10 })).toBe(0);
  });
});
