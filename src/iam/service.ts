import { serviceKey } from '../core/index.ts';
import type { Iam } from './iam.ts';

/** The whole of IAM (directory, tokens, API keys) for modules that need more than ctx.access. */
export const IAM = serviceKey<Iam>('iam');
