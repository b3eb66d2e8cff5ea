import { MsecError } from '../core/errors.ts';
import { FILL_METHODS, type FillMethod } from './fill.ts';
import { PRIVACY_CLASSES, type PrivacyClass } from './types.ts';

/** Every stage's settings. Defaults were chosen by `npm run eval -- anonymizer` (docs/anonymizer.md). */
export const PLATE_MODES = ['detect', 'both', 'band', 'off'] as const;
export type PlateMode = (typeof PLATE_MODES)[number];

export interface AnonymizerOptions {
  /** Object classes removed from the picture. */
  classes: PrivacyClass[];
  /** Detector score threshold. */
  minScore: number;
  /** Mask growth: share of the box's size on each side, plus pixels. */
  dilation: number;
  dilationPx: number;
  /** Shadow wedge length as a share of the object's height (0: off). */
  shadow: number;
  /** How removed objects are filled. */
  fill: FillMethod;
  inpaintMethod: 'telea' | 'ns';
  /** Blur radius and pixel block as a share of the filled object's size. */
  blurStrength: number;
  /** Faces left visible (people not removed, posters, behind glass): 'blur', 'pixelate' or 'off'. */
  faces: 'blur' | 'pixelate' | 'off';
  faceMinScore: number;
  /** Person masks: 'box' (the detector's box) or 'segment' (the selfie segmenter's silhouette inside it). */
  personMask: 'box' | 'segment';
  /** Segmenter probability from which a pixel is the person's. */
  segmentThreshold: number;
  /** Silhouette growth in pixels (on top of `dilationPx`), never beyond the grown box. */
  segmentDilationPx: number;
  /**
   * Plates on vehicles that are kept: 'detect' blurs the text the PP-OCR detector finds inside the
   * vehicle's box; 'band' blurs the lower part of the box (no model); 'both' detects, and blurs the
   * band of a vehicle where no text was found (a motion-blurred plate that deconvolution could
   * still recover); 'off' keeps them.
   */
  plates: PlateMode;
  /** PP-OCR text detector threshold: mean probability of a text region. */
  plateMinScore: number;
  /** Video: run the detector on every k-th frame and carry masks across the frames between. */
  detectEvery: number;
  /** Video: a frame's mask also holds the objects detected this many detection runs before and after it. */
  carry: number;
  /** Images above this many pixels are refused (decompression bombs). */
  maxPixels: number;
  /**
   * Side in pixels (a multiple of 32) of the square the bundled CenterNet sees a frame squashed to.
   * Smaller is faster and misses more small objects (`npm run eval -- anonymizer`).
   */
  detectorSize: number;
  /** model.json of a CenterNet graph model, or an .onnx detector (docs/anonymizer.md); default: the bundled one. */
  detectorModel?: string;
  /** An .onnx inpainter (docs/anonymizer.md) used by `fill: inpaint` instead of OpenCV. */
  inpaintModel?: string;
}

export const DEFAULT_OPTIONS: AnonymizerOptions = {
  classes: [...PRIVACY_CLASSES],
  minScore: 0.15,
  dilation: 0.05,
  dilationPx: 4,
  shadow: 0.3,
  fill: 'inpaint',
  inpaintMethod: 'telea',
  blurStrength: 0.25,
  faces: 'blur',
  faceMinScore: 0.6,
  personMask: 'box',
  segmentThreshold: 0.5,
  segmentDilationPx: 4,
  plates: 'both',
  plateMinScore: 0.5,
  detectEvery: 3,
  carry: 1,
  maxPixels: 40_000_000,
  detectorSize: 384,
};

function invalid(message: string): MsecError {
  return new MsecError('ANONYMIZER_OPTIONS_INVALID', message, { status: 400 });
}

function num(v: unknown, name: string, min: number, max: number, int = false): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n))) {
    throw invalid(`${name} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw invalid(`${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Options from untrusted input (CLI flags, HTTP query): unknown keys and bad values are refused. */
export function parseOptions(
  input: Record<string, unknown>,
  base: AnonymizerOptions = DEFAULT_OPTIONS,
): AnonymizerOptions {
  const o: AnonymizerOptions = { ...base, classes: [...base.classes] };
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    switch (k) {
      case 'classes': {
        const list = Array.isArray(v) ? v : typeof v === 'string' ? (v === '' ? [] : v.split(',')) : undefined;
        if (!list) throw invalid('classes must be a comma-separated list');
        o.classes = [
          ...new Set(list.map((c) => oneOf(typeof c === 'string' ? c.trim() : c, 'classes', PRIVACY_CLASSES))),
        ];
        break;
      }
      case 'minScore':
        o.minScore = num(v, k, 0.01, 1);
        break;
      case 'dilation':
        o.dilation = num(v, k, 0, 2);
        break;
      case 'dilationPx':
        o.dilationPx = num(v, k, 0, 200, true);
        break;
      case 'shadow':
        o.shadow = num(v, k, 0, 2);
        break;
      case 'fill':
        o.fill = oneOf(v, k, FILL_METHODS);
        break;
      case 'inpaintMethod':
        o.inpaintMethod = oneOf(v, k, ['telea', 'ns'] as const);
        break;
      case 'blurStrength':
        o.blurStrength = num(v, k, 0.01, 1);
        break;
      case 'faces':
        o.faces = oneOf(v, k, ['blur', 'pixelate', 'off'] as const);
        break;
      case 'faceMinScore':
        o.faceMinScore = num(v, k, 0.01, 1);
        break;
      case 'plates':
        o.plates = oneOf(v, k, PLATE_MODES);
        break;
      case 'plateMinScore':
        o.plateMinScore = num(v, k, 0.01, 1);
        break;
      case 'personMask':
        o.personMask = oneOf(v, k, ['box', 'segment'] as const);
        break;
      case 'segmentThreshold':
        o.segmentThreshold = num(v, k, 0.01, 0.99);
        break;
      case 'segmentDilationPx':
        o.segmentDilationPx = num(v, k, 0, 100, true);
        break;
      case 'detectEvery':
        o.detectEvery = num(v, k, 1, 30, true);
        break;
      case 'carry':
        o.carry = num(v, k, 0, 10, true);
        break;
      case 'maxPixels':
        o.maxPixels = num(v, k, 1, 200_000_000, true);
        break;
      case 'detectorSize':
        o.detectorSize = num(v, k, 128, 1024, true);
        if (o.detectorSize % 32) throw invalid('detectorSize must be a multiple of 32');
        break;
      case 'detectorModel':
        if (typeof v !== 'string' || v === '') throw invalid('detectorModel must be a path');
        o.detectorModel = v;
        break;
      case 'inpaintModel':
        if (typeof v !== 'string' || !v.endsWith('.onnx'))
          throw invalid('inpaintModel must be the path of an .onnx file');
        o.inpaintModel = v;
        break;
      default:
        throw invalid(`unknown option ${k}`);
    }
  }
  return o;
}
