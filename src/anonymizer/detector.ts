import { BlazeFace } from './blazeface.ts';
import { CenterNet } from './centernet.ts';
import { union } from './geometry.ts';
import type { AnonymizerOptions } from './options.ts';
import { OnnxDetector } from './onnx-detector.ts';
import { PlateDetector } from './plates.ts';
import { PersonSegmenter } from './segmenter.ts';
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

const VEHICLES = new Set(['car', 'truck', 'bus', 'motorcycle']);

interface FrameDetector {
  detect(frame: Frame): Promise<Detection[]>;
  close(): void;
}

/**
 * One thread's detectors: objects (CenterNet, or an ONNX model by path), BlazeFace faces, person
 * silhouettes (the selfie segmenter, when `personMask` is 'segment') and plates inside the vehicles
 * that are kept (PP-OCR, when `plates` is 'detect').
 */
export class LocalDetector implements ObjectDetector {
  private constructor(
    private readonly objects: FrameDetector,
    private readonly faces: BlazeFace | undefined,
    private readonly segmenter: PersonSegmenter | undefined,
    private readonly plates: PlateDetector | undefined,
    private readonly o: AnonymizerOptions,
  ) {}

  static async load(o: AnonymizerOptions): Promise<LocalDetector> {
    const nms = { minScore: o.minScore, iouThreshold: 0.5 };
    let objects: FrameDetector;
    if (o.detectorModel?.endsWith('.onnx')) objects = await OnnxDetector.load(o.detectorModel, nms);
    else if (o.detectorModel) objects = await CenterNet.load({ ...nms, modelPath: o.detectorModel });
    else objects = await CenterNet.load({ ...nms, inputWidth: o.detectorSize, inputHeight: o.detectorSize });
    const faces = o.faces === 'off' ? undefined : await BlazeFace.load({ minScore: o.faceMinScore, enlarge: 1.3 });
    const segmenter =
      o.personMask === 'segment' && o.classes.includes('person')
        ? await PersonSegmenter.load({ threshold: o.segmentThreshold })
        : undefined;
    const keepsVehicles = [...VEHICLES].some((v) => !(o.classes as string[]).includes(v));
    const plates =
      (o.plates === 'detect' || o.plates === 'both') && keepsVehicles
        ? await PlateDetector.load({ minScore: o.plateMinScore })
        : undefined;
    return new LocalDetector(objects, faces, segmenter, plates, o);
  }

  async detect(frame: Frame): Promise<Detection[]> {
    const objects = mergeRiders(await this.objects.detect(frame));
    if (this.segmenter) {
      const people = objects.filter((d) => d.label === 'person');
      const masks = await this.segmenter.segment(
        frame,
        people.map((p) => p.box),
      );
      people.forEach((p, i) => (p.mask = masks[i]));
    }
    const faces = this.faces ? await this.faces.detect(frame) : [];
    const kept = objects.filter((d) => VEHICLES.has(d.label) && !(this.o.classes as string[]).includes(d.label));
    const plates =
      this.plates && kept.length
        ? await this.plates.detect(
            frame,
            kept.map((v) => v.box),
          )
        : [];
    return [...objects, ...faces, ...plates];
  }

  async close(): Promise<void> {
    this.objects.close();
    this.faces?.close();
    this.segmenter?.close();
    this.plates?.close();
  }
}
