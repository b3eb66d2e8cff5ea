export type { Subject } from '../core/platform/access.ts';
