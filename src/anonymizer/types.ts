/** An RGB frame: `width * height * 3` bytes, row-major, no padding. */
export interface Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Axis-aligned box in pixels: top-left corner and size. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The object classes the anonymizer removes (COCO names). */
export const PRIVACY_CLASSES = ['person', 'bicycle', 'motorcycle', 'car', 'truck', 'bus'] as const;
export type PrivacyClass = (typeof PRIVACY_CLASSES)[number];

/** What the detectors report: removable objects and the faces and plates to blur. */
export type DetectionLabel = PrivacyClass | 'face' | 'plate';

/** A bitmap over an integer region of the frame: `w * h` bytes, 255 where the object is. */
export interface RegionMask extends Box {
  data: Uint8Array;
}

export interface Detection {
  label: DetectionLabel;
  score: number;
  box: Box;
  /** The object's silhouette (person segmenter), when the pipeline refines boxes. */
  mask?: RegionMask;
}

/** Finds objects in one frame. A worker pool, CenterNet and an ONNX model all implement it. */
export interface ObjectDetector {
  detect(frame: Frame): Promise<Detection[]>;
  close(): Promise<void>;
}
