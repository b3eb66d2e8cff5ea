/**
 * The Sigma engine as the pipeline uses it (CONTRACTS.md section 2), from the engine's one face.
 */
export type { SigmaEngine as DetectionEngine, SigmaEvent, SigmaMatch, SigmaRule } from '../sigma/index.ts';
