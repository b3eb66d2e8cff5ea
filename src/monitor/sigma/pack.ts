/**
 * The shipped rule pack: every src/monitor/rules/*.yml, parsed and validated like operator rules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseSigmaRules } from './parse.ts';
import type { SigmaRule } from './types.ts';

export const RULE_PACK_DIR = fileURLToPath(new URL('../rules/', import.meta.url));

export function loadRulePack(dir: string = RULE_PACK_DIR): SigmaRule[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort();
  return files.flatMap((f) => parseSigmaRules(readFileSync(join(dir, f), 'utf8'), `rules/${f}`));
}
