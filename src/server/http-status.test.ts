import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ERROR_CODES } from '../cli/errors.ts';
import { MsecError } from '../core/index.ts';
import { HTTP_STATUS, httpStatusOf } from './http-status.ts';

const SRC = join(import.meta.dirname, '..');
function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (p.endsWith('.ts') && !/\.test(-helpers)?\.ts$/.test(p)) yield p;
  }
}
/** Codes raised anywhere in the sources: `new MsecError('CODE'` and the modules' error helpers. */
const RAISED = /(?<![.\w])(?:MsecError|coseError|keystoreError|refuse|fail)\(\s*'([A-Z][A-Z0-9_]+)'/g;
/** Helpers that prefix a kind: `fspError('SYNTAX', …)` raises DESIGN_FSP_SYNTAX. */
const PREFIXED: Array<[RegExp, string]> = [
  [/(?<![.\w])(?:fspError|this\.fail)\(\s*'([A-Z][A-Z0-9_]+)'/g, 'DESIGN_FSP_'],
  [/(?<![.\w])synthError\(\s*'([A-Z][A-Z0-9_]+)'/g, 'DESIGN_SYNTH_'],
];

describe('error codes and HTTP statuses', () => {
  it("every code the sources raise is declared in a module union and has a status (or is the CLI's own)", () => {
    const known = new Set<string>([...Object.keys(HTTP_STATUS), ...CLI_ERROR_CODES]);
    const missing: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(RAISED)) if (!known.has(m[1]!)) missing.push(`${relative(SRC, file)}: ${m[1]}`);
      if (file.includes(`${join('design', 'synth')}`)) {
        for (const [re, prefix] of PREFIXED)
          for (const m of text.matchAll(re))
            if (!known.has(prefix + m[1]!)) missing.push(`${relative(SRC, file)}: ${prefix}${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('maps by code, whatever status the error was raised with, and keeps it for unknown codes', () => {
    expect(httpStatusOf(new MsecError('READING_REPLAYED', 'x'))).toBe(409);
    expect(httpStatusOf(new MsecError('COSE_BAD_SIGNATURE', 'x'))).toBe(401);
    expect(httpStatusOf(new MsecError('NOT_FOUND', 'x', { status: 418 }))).toBe(404);
    expect(httpStatusOf(new MsecError('SOME_PLUGIN_CODE', 'x', { status: 422 }))).toBe(422);
    expect(Object.values(HTTP_STATUS).every((s) => s >= 400 && s <= 599)).toBe(true);
  });
});
