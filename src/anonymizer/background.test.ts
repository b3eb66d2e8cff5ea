import { describe, expect, it } from 'vitest';
import { InpaintReuse } from './background.ts';
import { emptyMask, maskedCount, paintBox, type Mask } from './mask.ts';
import type { Frame } from './types.ts';

const frame = (v: number): Frame => ({ width: 20, height: 10, data: new Uint8Array(20 * 10 * 3).fill(v) });
const rect = (x: number, y: number, w: number, h: number): Mask => {
  const m = emptyMask(20, 10);
  paintBox(m, { x, y, w, h });
  return m;
};

describe('inpainting reuse for what the background cannot fill', () => {
  it('repaints the pixels inpainted before, leaves only new ones to inpaint, and redoes all after a while', () => {
    const reuse = new InpaintReuse();
    const rest = rect(2, 2, 5, 5);
    const f0 = frame(10);
    expect(reuse.reuse(f0, rest)).toBe(rest); // nothing kept yet: inpaint it all
    for (let i = 0; i < rest.data.length; i++) if (rest.data[i]) f0.data.fill(200, i * 3, i * 3 + 3); // "inpainted"
    reuse.remember(f0, rest);

    // The van is still there and a person stands beside it: only the person's pixels are new.
    const f1 = frame(10);
    const now = rect(2, 2, 8, 5);
    const todo = reuse.reuse(f1, now);
    expect(maskedCount(todo)).toBe(3 * 5);
    expect(todo.data[2 * 20 + 8]).toBe(255);
    expect(todo.data[2 * 20 + 3]).toBe(0);
    expect([...f1.data.subarray((3 * 20 + 3) * 3, (3 * 20 + 3) * 3 + 3)]).toEqual([200, 200, 200]);
    // Pixels outside the mask are never touched.
    expect([...f1.data.subarray(0, 3)]).toEqual([10, 10, 10]);
    reuse.remember(f1, now);

    let f = frame(10);
    for (let i = 0; i < 30; i++) {
      f = frame(10);
      const t = reuse.reuse(f, now);
      if (t === now) break;
      expect(maskedCount(t)).toBe(0);
      reuse.remember(f, now);
    }
    // Refreshed: the whole rest is inpainted again, from this frame's surroundings.
    expect(reuse.reuse(frame(10), now)).toBe(now);
  });
});
