/**
 * Evaluation runner: `npm run eval -- <name> [args]` runs eval/<name>.ts; with no name, all.
 * Evaluations measure quality (how well a module does against ground truth or a baseline) and print the figures.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNamed } from '../scripts/run-named.ts';

// Helpers carry a dash in their name (anonymizer-set.ts): only whole evaluations are listed.
await runNamed(dirname(fileURLToPath(import.meta.url)), 'eval', process.argv.slice(2), (n) => !n.includes('-'));
