import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** Repository root (this file lives in test/helpers). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Third-party test data lives beside the checkout in ../shared/testdata (never copied in). */
export const TESTDATA_ROOT = process.env.MSEC_TESTDATA_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'testdata');

/** Absolute path of a testdata folder or file, or undefined where it is absent (a user's own clone). */
export function testdataPath(...parts: string[]): string | undefined {
  const p = join(TESTDATA_ROOT, ...parts);
  return existsSync(p) ? p : undefined;
}

/**
 * describe() for suites that need shared testdata: where it is absent, say so in one line and
 * do not run (the only skip the house allows).
 */
export function describeWithTestdata(sub: string, name: string, fn: (dir: string) => void): void {
  const dir = testdataPath(sub);
  if (dir) {
    describe(name, () => fn(dir));
    return;
  }
  console.log(`[testdata] ${join(TESTDATA_ROOT, sub)} is absent: "${name}" does not run`);
  // The suite body is never called (describe.skipIf would still run it, reading absent files);
  // one skipped placeholder keeps the file a valid test file.
  describe.skip(name, () => {
    it(`needs ${sub}`, () => undefined);
  });
}

/**
 * describe() for suites that need files a system package installs (Debian darknet, opencv-doc):
 * where one is absent, say so in one line and do not run.
 */
export function describeWithFiles(files: readonly string[], name: string, fn: () => void): void {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  console.log(`[testdata] ${missing.join(', ')} absent: "${name}" does not run`);
  describe.skip(name, () => {
    it(`needs ${missing.join(', ')}`, () => undefined);
  });
}
