import { clipBox, growBox } from './geometry.ts';
import type { Box, RegionMask } from './types.ts';

/** One byte per pixel: 255 where the pixel is to be replaced, 0 where it is kept. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

export function emptyMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

export function paintBox(mask: Mask, box: Box): void {
  const b = clipBox(box, mask.width, mask.height);
  for (let y = b.y; y < b.y + b.h; y++) mask.data.fill(255, y * mask.width + b.x, y * mask.width + b.x + b.w);
}

/**
 * GANonymizer's shadow: the object's mask grown downward in a 90° wedge (45° each side) for
 * `ratio` of its height, so a removed person does not leave their shadow standing on the road.
 */
export function paintShadow(mask: Mask, box: Box, ratio: number): void {
  const len = Math.round(box.h * ratio);
  const bottom = Math.ceil(box.y + box.h);
  for (let dy = 0; dy < len; dy++) {
    const y = bottom + dy;
    if (y < 0 || y >= mask.height) continue;
    const x0 = Math.max(0, Math.floor(box.x - dy));
    const x1 = Math.min(mask.width, Math.ceil(box.x + box.w + dy));
    if (x1 > x0) mask.data.fill(255, y * mask.width + x0, y * mask.width + x1);
  }
}

export interface GrowthOptions {
  /** Dilation as a share of the box's size on each side. */
  dilation: number;
  /** Dilation in pixels on each side, on top of the share. */
  dilationPx: number;
  /** Shadow wedge length as a share of the object's height; 0 turns it off. */
  shadow: number;
}

/** Paints one object: its box dilated, and its shadow wedge below it. */
export function paintObject(mask: Mask, box: Box, g: GrowthOptions): void {
  const grown = growBox(box, g.dilation, g.dilationPx);
  paintBox(mask, grown);
  if (g.shadow > 0) paintShadow(mask, grown, g.shadow);
}

/**
 * Paints a silhouette grown by `radius` pixels (a square max filter: separable, linear in the
 * region's size), never outside `clip` (the object's grown box) or the frame.
 */
export function paintSilhouette(mask: Mask, region: RegionMask, radius: number, clip: Box): void {
  const r = Math.max(0, Math.round(radius));
  const W = region.w + 2 * r,
    H = region.h + 2 * r;
  // Horizontal pass into a buffer padded by r on each side: padded column p is set when a source
  // column within r of it (source p - 2r .. p) is set; `last` is the newest set source column.
  const horiz = new Uint8Array(W * H);
  for (let y = 0; y < region.h; y++) {
    const src = y * region.w,
      dst = (y + r) * W;
    let last = -Infinity;
    for (let p = 0; p < W; p++) {
      if (p < region.w && region.data[src + p]) last = p;
      if (last >= p - 2 * r) horiz[dst + p] = 1;
    }
  }
  // Vertical pass over the padded rows, straight into the frame mask, clipped.
  const c = clipBox(clip, mask.width, mask.height);
  for (let x = 0; x < W; x++) {
    const fx = region.x - r + x;
    if (fx < c.x || fx >= c.x + c.w) continue;
    let last = -Infinity;
    for (let y = -r; y < H; y++) {
      const q = y + r;
      if (q < H && horiz[q * W + x]) last = q;
      if (y < 0 || last < y - r) continue;
      const fy = region.y - r + y;
      if (fy >= c.y && fy < c.y + c.h) mask.data[fy * mask.width + fx] = 255;
    }
  }
}

/** The share of `box`'s pixels that the mask covers (1 for an empty box). */
export function coverage(mask: Mask, box: Box): number {
  const b = clipBox(box, mask.width, mask.height);
  if (b.w === 0 || b.h === 0) return 1;
  let covered = 0;
  for (let y = b.y; y < b.y + b.h; y++) {
    const row = y * mask.width;
    for (let x = b.x; x < b.x + b.w; x++) if (mask.data[row + x]) covered++;
  }
  return covered / (b.w * b.h);
}

export function maskedCount(mask: Mask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]) n++;
  return n;
}

/** The bounding box of the masked pixels, or undefined when nothing is masked. */
export function maskBounds(mask: Mask): Box | undefined {
  let x0 = mask.width,
    y0 = mask.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}
