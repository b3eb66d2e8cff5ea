export { MSEC_VERSION } from '../core/version.ts';
