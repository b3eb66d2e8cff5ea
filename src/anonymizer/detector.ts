import { BlazeFace } from './blazeface.ts';
import { CenterNet } from './centernet.ts';
import { union } from './geometry.ts';
import type { AnonymizerOptions } from './options.ts';
import type { Detection, Frame, ObjectDetector } from './types.ts';

const TWO_WHEELERS = new Set(['bicycle', 'motorcycle']);

/**
 * A rider goes with their bike: a person whose feet stand inside a bicycle's or motorcycle's box
 * is merged with it into one object, so neither half is left behind by a loose box.
 */
export function mergeRiders(dets: readonly Detection[]): Detection[] {
  const out = dets.map((d) => ({ ...d, box: { ...d.box } }));
  const gone = new Set<number>();
  out.forEach((v) => {
    if (!TWO_WHEELERS.has(v.label)) return;
    out.forEach((p, pi) => {
      if (p.label !== 'person' || gone.has(pi)) return;
      const footX = p.box.x + p.box.w / 2,
        footY = p.box.y + p.box.h;
      const inside =
        footX >= v.box.x &&
        footX <= v.box.x + v.box.w &&
        footY >= v.box.y &&
        footY <= v.box.y + v.box.h + v.box.h * 0.25;
      if (!inside) return;
      v.box = union(v.box, p.box);
      gone.add(pi);
    });
  });
  return out.filter((_, i) => !gone.has(i));
}

/** CenterNet objects plus BlazeFace faces, in one thread. */
export class LocalDetector implements ObjectDetector {
  private constructor(
    private readonly objects: CenterNet,
    private readonly faces: BlazeFace | undefined,
    private readonly o: AnonymizerOptions,
  ) {}

  static async load(o: AnonymizerOptions): Promise<LocalDetector> {
    const objects = await CenterNet.load({
      minScore: o.minScore,
      iouThreshold: 0.5,
      ...(o.detectorModel ? { modelPath: o.detectorModel } : {}),
    });
    const faces = o.faces === 'off' ? undefined : await BlazeFace.load({ minScore: o.faceMinScore, enlarge: 1.3 });
    return new LocalDetector(objects, faces, o);
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const objects = await this.objects.detect(frame);
    const faces = this.faces ? await this.faces.detect(frame) : [];
    return [...mergeRiders(objects), ...faces];
  }

  async close(): Promise<void> {
    this.objects.close();
    this.faces?.close();
  }
}
