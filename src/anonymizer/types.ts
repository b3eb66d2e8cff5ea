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

export interface Detection {
  label: DetectionLabel;
  score: number;
  box: Box;
}

/** Finds objects in one frame. A worker pool, CenterNet and an ONNX model all implement it. */
export interface ObjectDetector {
  detect(frame: Frame): Promise<Detection[]>;
  close(): Promise<void>;
}
