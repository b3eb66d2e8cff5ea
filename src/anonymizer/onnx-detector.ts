import type { InferenceSession } from 'onnxruntime-node';
import { MsecError } from '../core/errors.ts';
import { nonMaxSuppression } from './nms.ts';
import { fixedInputSize, loadOnnxSession, tensor } from './onnx.ts';
import type { Detection, Frame, PrivacyClass } from './types.ts';

/** COCO class indexes (0-based, 80 classes) the anonymizer maps, as CenterNet's. */
export const COCO_CLASSES: Record<number, PrivacyClass> = {
  0: 'person',
  1: 'bicycle',
  2: 'car',
  3: 'motorcycle',
  5: 'bus',
  7: 'truck',
};
/** Input size for models that take any size. */
const DEFAULT_SIZE = 640;

/**
 * A plugged-in ONNX object detector (docs/anonymizer.md, "ONNX plug-ins"): input float32 NCHW RGB
 * in [0, 1] at the model's fixed size (the frame stretched to it); output rows
 * [x1, y1, x2, y2, score, cocoClass] with coordinates as shares of the input's width and height.
 */
export class OnnxDetector {
  private constructor(
    private readonly session: InferenceSession,
    private readonly size: { width: number; height: number },
    private readonly o: { minScore: number; iouThreshold: number },
  ) {}

  static async load(path: string, o: { minScore: number; iouThreshold: number }): Promise<OnnxDetector> {
    const session = await loadOnnxSession(path);
    return new OnnxDetector(session, fixedInputSize(session) ?? { width: DEFAULT_SIZE, height: DEFAULT_SIZE }, o);
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const { width: W, height: H } = this.size;
    const input = new Float32Array(3 * W * H);
    const plane = W * H;
    for (let y = 0; y < H; y++) {
      const sy = Math.min(frame.height - 1, Math.floor(((y + 0.5) * frame.height) / H));
      for (let x = 0; x < W; x++) {
        const sx = Math.min(frame.width - 1, Math.floor(((x + 0.5) * frame.width) / W));
        const p = (sy * frame.width + sx) * 3;
        const o = y * W + x;
        input[o] = frame.data[p]! / 255;
        input[plane + o] = frame.data[p + 1]! / 255;
        input[2 * plane + o] = frame.data[p + 2]! / 255;
      }
    }
    const res = await this.session.run({ [this.session.inputNames[0]!]: await tensor(input, [1, 3, H, W]) });
    const out = res[this.session.outputNames[0]!]!;
    const dims = out.dims;
    if (dims[dims.length - 1] !== 6 || out.type !== 'float32')
      throw new MsecError(
        'ANONYMIZER_MODEL_INVALID',
        `an ONNX detector must output float32 rows of 6 values (x1, y1, x2, y2, score, class); got ${out.type} [${dims.join(', ')}]`,
      );
    const rows = out.data as Float32Array;
    const dets: Detection[] = [];
    for (let i = 0; i + 6 <= rows.length; i += 6) {
      const [x1, y1, x2, y2, score, cls] = rows.subarray(i, i + 6) as unknown as number[];
      const label = COCO_CLASSES[Math.round(cls!)];
      if (!label || !(score! >= this.o.minScore)) continue;
      dets.push({
        label,
        score: score!,
        box: {
          x: x1! * frame.width,
          y: y1! * frame.height,
          w: (x2! - x1!) * frame.width,
          h: (y2! - y1!) * frame.height,
        },
      });
    }
    return nonMaxSuppression(dets, this.o.iouThreshold);
  }

  close(): void {
    void this.session.release();
  }
}
