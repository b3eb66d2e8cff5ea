import { readFileSync, statSync } from 'node:fs';
import { MsecError } from '../../core/errors.ts';
import { MAX_MODEL_BYTES, parseModel, type ParseResult } from './parse-model.ts';

/** Reads and validates a model file; an unreadable or oversized file is an error, a bad model a result. */
export function loadModelFile(path: string): ParseResult {
  let text: string;
  try {
    if (statSync(path).size > MAX_MODEL_BYTES)
      throw new MsecError('DESIGN_MODEL_TOO_LARGE', `${path}: the model is over ${MAX_MODEL_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof MsecError) throw err;
    throw new MsecError(
      'DESIGN_MODEL_UNREADABLE',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseModel(text, path);
}
