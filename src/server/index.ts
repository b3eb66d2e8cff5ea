export { startPlatform, type Platform, type StartOptions } from './platform.ts';
export { buildApp } from './app.ts';
export { MSEC_VERSION } from './version.ts';
