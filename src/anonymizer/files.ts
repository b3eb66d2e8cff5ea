import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/**
 * Runs `write` against a temporary path beside `target` and renames it into place only when it
 * succeeds, so a partial output is never mistaken for a complete one.
 */
export async function writeAtomically<T>(target: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const ext = extname(target);
  const tmp = join(dirname(target), `.${basename(target, ext)}.${randomBytes(4).toString('hex')}.partial${ext}`);
  try {
    const result = await write(tmp);
    await rename(tmp, target);
    return result;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
