import { nonMaxSuppression } from './nms.ts';
import { MsecError } from '../core/errors.ts';
import { humanModelPath, loadLocalGraphModel, tf, weightOffset, type GraphModelParts } from './tf.ts';
import type { Detection, Frame, PrivacyClass } from './types.ts';

/** COCO class indexes of CenterNet's output (0-based) that the anonymizer cares about. */
const COCO_INDEX: Record<number, PrivacyClass> = {
  0: 'person',
  1: 'bicycle',
  2: 'car',
  3: 'motorcycle',
  5: 'bus',
  7: 'truck',
};
/** The size the bundled model was exported at; `inputWidth`/`inputHeight` re-size it. */
export const CENTERNET_NATIVE = 512;
/** Output stride of the heatmap, and of the feature maps the head upsamples (16, 8, 4). */
const STRIDE = 4;

/**
 * Re-sizes the bundled CenterNet graph to a W x H input (multiples of 32): the graph is fully
 * convolutional, but its export froze the input size in the placeholder, in the head's three
 * upsampling sizes, in the heatmap width used to turn top-k indexes into x, y, and in the
 * gather's row count. Those constants are rewritten; the weights are untouched.
 */
export function resizeCenterNet(parts: GraphModelParts, width: number, height: number): void {
  const input = parts.modelTopology.node?.find((n) => n.op === 'Placeholder');
  if (!input) throw new MsecError('ANONYMIZER_MODEL_INVALID', 'the CenterNet graph has no input placeholder');
  input.attr!.shape.shape.dim = [{ size: '1' }, { size: String(height) }, { size: String(width) }, { size: '3' }];
  const set = (name: string, values: number[]) => {
    const off = weightOffset(parts, name);
    if (off === undefined)
      throw new MsecError('ANONYMIZER_MODEL_INVALID', `the CenterNet graph has no ${name}: cannot re-size it`);
    values.forEach((v, i) => parts.weights.writeInt32LE(v, off + 4 * i));
  };
  const head = 'tower_0/CenternetHead';
  set(`${head}/c5_upsample/up_sampling2d/mul`, [height / 16, width / 16]);
  set(`${head}/c4_upsample/up_sampling2d_1/mul`, [height / 8, width / 8]);
  set(`${head}/c3_upsample/up_sampling2d_2/mul`, [height / STRIDE, width / STRIDE]);
  set('tower_0/strided_slice_6', [width / STRIDE]);
  set('tower_0/BatchGather/concat', [(width / STRIDE) * (height / STRIDE), 4]);
}

export interface CenterNetOptions {
  /** Detections below this score are dropped. */
  minScore: number;
  /** Overlapping boxes of one class above this IoU are merged into the best one. */
  iouThreshold: number;
  /** model.json of a CenterNet graph model; default: the one @vladmandic/human ships. */
  modelPath?: string;
  /** Input size (multiples of 32) the bundled model is re-sized to; default 512 x 512. Not for other models. */
  inputWidth?: number;
  inputHeight?: number;
}

/**
 * MobileNetV3 CenterNet (COCO), as shipped by @vladmandic/human, on TensorFlow.js's WebAssembly
 * backend. One instance per thread: it is not re-entrant.
 */
export class CenterNet {
  private constructor(
    private readonly model: tf.GraphModel,
    private readonly o: CenterNetOptions,
    private readonly width: number,
    private readonly height: number,
  ) {}

  static async load(o: CenterNetOptions): Promise<CenterNet> {
    const width = o.modelPath ? CENTERNET_NATIVE : (o.inputWidth ?? CENTERNET_NATIVE),
      height = o.modelPath ? CENTERNET_NATIVE : (o.inputHeight ?? CENTERNET_NATIVE);
    const resized = width !== CENTERNET_NATIVE || height !== CENTERNET_NATIVE;
    const model = await loadLocalGraphModel(
      o.modelPath ?? humanModelPath('centernet.json'),
      resized ? (parts) => resizeCenterNet(parts, width, height) : undefined,
    );
    return new CenterNet(model, o, width, height);
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const out = tf.tidy(() => {
      const x = tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32').toFloat().expandDims(0) as tf.Tensor4D;
      return this.model.execute(tf.image.resizeBilinear(x, [this.height, this.width]), [
        'tower_0/detections',
      ]) as tf.Tensor;
    });
    const rows = (await out.array()) as number[][][];
    out.dispose();
    const sx = frame.width / this.width,
      sy = frame.height / this.height;
    const dets: Detection[] = [];
    for (const [x1, y1, x2, y2, score, cls] of rows[0] ?? []) {
      const label = COCO_INDEX[cls!];
      if (!label || !(score! >= this.o.minScore)) continue;
      dets.push({ label, score: score!, box: { x: x1! * sx, y: y1! * sy, w: (x2! - x1!) * sx, h: (y2! - y1!) * sy } });
    }
    return nonMaxSuppression(dets, this.o.iouThreshold);
  }

  close(): void {
    this.model.dispose();
  }
}
