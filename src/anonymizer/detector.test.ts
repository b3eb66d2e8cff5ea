import { describe, expect, it } from 'vitest';
import { mergeRiders } from './detector.ts';
import type { Detection } from './types.ts';

const d = (label: Detection['label'], x: number, y: number, w: number, h: number): Detection => ({
  label,
  score: 0.9,
  box: { x, y, w, h },
});

describe('riders', () => {
  it('merges a person standing on a bicycle into one object and leaves pedestrians apart', () => {
    const out = mergeRiders([
      d('bicycle', 100, 100, 60, 40),
      d('person', 110, 40, 30, 90),
      d('person', 300, 40, 30, 90),
    ]);
    expect(out).toHaveLength(2);
    const bike = out.find((o) => o.label === 'bicycle')!;
    expect(bike.box).toEqual({ x: 100, y: 40, w: 60, h: 100 });
    expect(out.find((o) => o.label === 'person')!.box.x).toBe(300);
  });
});
