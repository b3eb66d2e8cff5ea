// Vitest setup file: a test file that timed out while an msec child was starting (so its own
// afterAll never got the handle) still leaves no process behind.
import { afterAll } from 'vitest';
import { killLiveChildren } from './cli.ts';

afterAll(() => killLiveChildren());
