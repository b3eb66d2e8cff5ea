export { anonymizerModule, ANONYMIZER_POLICY, ANONYMIZER } from './module.ts';
export { DEFAULT_OPTIONS, parseOptions, type AnonymizerOptions } from './options.ts';
export {
  PRIVACY_CLASSES,
  type Box,
  type Detection,
  type Frame,
  type ObjectDetector,
  type PrivacyClass,
} from './types.ts';
export { FILL_METHODS, type FillMethod } from './fill.ts';
export { LocalDetector, mergeRiders } from './detector.ts';
export { DetectorPool } from './pool.ts';
export { renderFrame, type RenderResult } from './render.ts';
export { anonymizeImage, anonymizeImageFile, type AnonymizedImage } from './image.ts';
export { anonymizeVideo, type Progress, type VideoJob } from './video.ts';
export { decodeImage, encodeImage, formatFromPath, type ImageFormat } from './image-io.ts';
export type { AnonymizeReport, FrameReport } from './report.ts';
export { coverage, emptyMask, type Mask } from './mask.ts';
export { LiveAnonymizer, type LiveOptions } from './live.ts';
export { ANONYMIZER_ERROR_CODES, type AnonymizerErrorCode } from './errors.ts';
export { HubCamera, cameraDescription, CAMERA_SERVICE, CAMERA_RESOURCE, type HubCameraOptions } from './hub-camera.ts';
