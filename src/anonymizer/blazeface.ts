import { nonMaxSuppression } from './nms.ts';
import { humanModelPath, loadLocalGraphModel, tf } from './tf.ts';
import type { Detection, Frame } from './types.ts';

/** BlazeFace's anchor centres: strides of 1/16 and 1/8 of the input with 2 and 6 anchors a cell. */
function anchors(size: number): Float32Array {
  const out: number[] = [];
  for (const [stride, n] of [
    [size / 16, 2],
    [size / 8, 6],
  ] as const) {
    const cells = Math.floor((size + stride - 1) / stride);
    for (let gy = 0; gy < cells; gy++)
      for (let gx = 0; gx < cells; gx++) for (let k = 0; k < n; k++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
  }
  return new Float32Array(out);
}

export interface FaceOptions {
  minScore: number;
  /** Face boxes are enlarged by this factor (hair, ears, chin) before blurring. */
  enlarge: number;
}

/** BlazeFace (as shipped by @vladmandic/human): faces that stay visible get blurred. */
export class BlazeFace {
  private readonly anchors: Float32Array;

  private constructor(
    private readonly model: tf.GraphModel,
    private readonly size: number,
    private readonly o: FaceOptions,
  ) {
    this.anchors = anchors(size);
  }

  static async load(o: FaceOptions): Promise<BlazeFace> {
    const model = await loadLocalGraphModel(humanModelPath('blazeface.json'));
    return new BlazeFace(model, model.inputs[0]?.shape?.[2] ?? 256, o);
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const s = this.size;
    const out = tf.tidy(() => {
      const x = tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32').toFloat().expandDims(0) as tf.Tensor4D;
      const input = tf.image.resizeBilinear(x, [s, s]).div(127.5).sub(1);
      const res = this.model.execute(input);
      if (!Array.isArray(res)) return tf.squeeze(res);
      // This conversion splits scores and boxes per anchor grid: stitch them as [scores, boxes],
      // the 16-stride grid (512 anchors) first, then the 8-stride grid (384).
      const [s384, s512, b384, b512] = [...res].sort((a, b) => a.size - b.size);
      return tf.squeeze(tf.concat([tf.concat([s512!, b512!], 2), tf.concat([s384!, b384!], 2)], 1));
    });
    const rows = (await out.array()) as number[][];
    out.dispose();
    const sx = frame.width / s,
      sy = frame.height / s;
    const dets: Detection[] = [];
    rows.forEach((r, i) => {
      const score = 1 / (1 + Math.exp(-r[0]!));
      if (!(score >= this.o.minScore)) return;
      const cx = r[1]! + this.anchors[2 * i]!,
        cy = r[2]! + this.anchors[2 * i + 1]!;
      // The input is squashed to a square: squarify in frame pixels, where faces are about square.
      const side = Math.max(r[3]! * sx, r[4]! * sy) * this.o.enlarge;
      dets.push({ label: 'face', score, box: { x: cx * sx - side / 2, y: cy * sy - side / 2, w: side, h: side } });
    });
    return nonMaxSuppression(dets, 0.3);
  }

  close(): void {
    this.model.dispose();
  }
}
