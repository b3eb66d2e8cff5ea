import { iou } from './geometry.ts';
import type { Detection } from './types.ts';

/** Greedy non-maximum suppression per label: the best-scoring box wins over those that overlap it. */
export function nonMaxSuppression(dets: readonly Detection[], iouThreshold: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (!kept.some((k) => k.label === d.label && iou(k.box, d.box) > iouThreshold)) kept.push(d);
  }
  return kept;
}
