import type { BackgroundModel } from './background.ts';
import { fillBlur, fillInpaint, fillPixelate, fillSolid } from './fill.ts';
import { boxArea, clipBox, growBox, intersection } from './geometry.ts';
import { coverage, emptyMask, paintBox, paintObject, paintShadow, paintSilhouette, type Mask } from './mask.ts';
import { fillOnnxInpaint } from './onnx-inpaint.ts';
import type { AnonymizerOptions } from './options.ts';
import type { Box, Detection, Frame } from './types.ts';

const VEHICLES = new Set(['car', 'truck', 'bus', 'motorcycle']);

export interface RenderResult {
  /** Every pixel the anonymizer changed or chose to change (removal, face and plate blur). */
  mask: Mask;
  /** Objects removed, per class. */
  removed: Record<string, number>;
  facesBlurred: number;
  platesBlurred: number;
}

function obscure(frame: Frame, box: Box, how: 'blur' | 'pixelate', strength: number): Mask {
  const m = emptyMask(frame.width, frame.height);
  paintBox(m, box);
  const region = clipBox(box, frame.width, frame.height);
  const size = Math.max(4, strength * Math.min(region.w, region.h));
  if (how === 'blur') fillBlur(frame, m, size, region);
  else fillPixelate(frame, m, size, region);
  return m;
}

function merge(into: Mask, from: Mask): void {
  for (let i = 0; i < from.data.length; i++) if (from.data[i]) into.data[i] = 255;
}

/** Fills the removal mask with the configured method; `background` falls back to inpainting. */
async function fillRemoved(
  frame: Frame,
  mask: Mask,
  objects: readonly Box[],
  o: AnonymizerOptions,
  background?: BackgroundModel,
): Promise<void> {
  const holeSize = Math.max(0, ...objects.map((b) => Math.max(b.w, b.h)));
  const inpaint = (m: Mask) =>
    o.inpaintModel
      ? fillOnnxInpaint(frame, m, o.inpaintModel)
      : fillInpaint(frame, m, { method: o.inpaintMethod, maxHole: 100, holeSize });
  switch (o.fill) {
    case 'solid':
      fillSolid(frame, mask);
      return;
    case 'inpaint':
      await inpaint(mask);
      return;
    case 'background': {
      if (!background) {
        await inpaint(mask);
        return;
      }
      background.observe(frame, mask);
      const rest = background.fill(frame, mask);
      await inpaint(background.inpainted.reuse(frame, rest));
      background.inpainted.remember(frame, rest);
      return;
    }
    case 'blur':
    case 'pixelate':
      for (const b of objects) {
        const region = clipBox(b, frame.width, frame.height);
        const size = Math.max(4, o.blurStrength * Math.min(region.w, region.h));
        if (o.fill === 'blur') fillBlur(frame, mask, size, region);
        else fillPixelate(frame, mask, size, region);
      }
  }
}

/**
 * Anonymizes one frame in place: removes the objects of the configured classes (mask, growth,
 * fill), then blurs faces and plates that are still visible.
 */
export async function renderFrame(
  frame: Frame,
  dets: readonly Detection[],
  o: AnonymizerOptions,
  background?: BackgroundModel,
): Promise<RenderResult> {
  const mask = emptyMask(frame.width, frame.height);
  const removed: Record<string, number> = {};
  const grown: Box[] = [];
  for (const d of dets) {
    if (!(o.classes as string[]).includes(d.label)) continue;
    const box = growBox(d.box, o.dilation, o.dilationPx);
    if (d.mask && o.personMask === 'segment') {
      // The silhouette, grown by the pixels of both dilations, never beyond the grown box; the
      // shadow wedge still starts at the box's foot.
      paintSilhouette(mask, d.mask, o.dilationPx + o.segmentDilationPx, box);
      if (o.shadow > 0) paintShadow(mask, box, o.shadow);
    } else paintObject(mask, d.box, o);
    grown.push(box);
    removed[d.label] = (removed[d.label] ?? 0) + 1;
  }
  if (grown.length > 0 || (o.fill === 'background' && background)) await fillRemoved(frame, mask, grown, o, background);
  let facesBlurred = 0;
  let platesBlurred = 0;
  if (o.faces !== 'off') {
    for (const f of dets) {
      if (f.label !== 'face' || coverage(mask, f.box) >= 0.9) continue;
      merge(mask, obscure(frame, f.box, o.faces, 0.25));
      facesBlurred++;
    }
  }
  const plates = dets.filter((p) => p.label === 'plate');
  if (o.plates === 'detect' || o.plates === 'both') {
    for (const p of plates) {
      if (coverage(mask, p.box) >= 0.9) continue;
      merge(mask, obscure(frame, p.box, 'blur', 0.3));
      platesBlurred++;
    }
  }
  if (o.plates === 'band' || o.plates === 'both') {
    for (const v of dets) {
      if (!VEHICLES.has(v.label) || (o.classes as string[]).includes(v.label)) continue;
      if (o.plates === 'both' && plates.some((p) => boxArea(intersection(v.box, p.box)) > 0.5 * boxArea(p.box)))
        continue;
      // No plate found (or no detector): the lower part of a kept vehicle's box is where plates sit.
      const band = { x: v.box.x, y: v.box.y + v.box.h * 0.55, w: v.box.w, h: v.box.h * 0.45 };
      merge(mask, obscure(frame, band, 'blur', 0.15));
      platesBlurred++;
    }
  }
  return { mask, removed, facesBlurred, platesBlurred };
}
