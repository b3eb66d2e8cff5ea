import { nonMaxSuppression } from './nms.ts';
import { humanModelPath, loadLocalGraphModel, tf } from './tf.ts';
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
const INPUT = 512;

export interface CenterNetOptions {
  /** Detections below this score are dropped. */
  minScore: number;
  /** Overlapping boxes of one class above this IoU are merged into the best one. */
  iouThreshold: number;
  /** model.json of a CenterNet graph model; default: the one @vladmandic/human ships. */
  modelPath?: string;
}

/**
 * MobileNetV3 CenterNet (COCO), as shipped by @vladmandic/human, on TensorFlow.js's WebAssembly
 * backend. One instance per thread: it is not re-entrant.
 */
export class CenterNet {
  private constructor(
    private readonly model: tf.GraphModel,
    private readonly o: CenterNetOptions,
  ) {}

  static async load(o: CenterNetOptions): Promise<CenterNet> {
    return new CenterNet(await loadLocalGraphModel(o.modelPath ?? humanModelPath('centernet.json')), o);
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const out = tf.tidy(() => {
      const x = tf.tensor3d(frame.data, [frame.height, frame.width, 3], 'int32').toFloat().expandDims(0) as tf.Tensor4D;
      return this.model.execute(tf.image.resizeBilinear(x, [INPUT, INPUT]), ['tower_0/detections']) as tf.Tensor;
    });
    const rows = (await out.array()) as number[][][];
    out.dispose();
    const sx = frame.width / INPUT,
      sy = frame.height / INPUT;
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
