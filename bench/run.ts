/**
 * Benchmark runner: `npm run bench -- <name> [args]` runs bench/<name>.ts; with no name, all.
 * Every benchmark prints its figures as a ratio to a reference measured in the same run.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNamed } from '../scripts/run-named.ts';

await runNamed(dirname(fileURLToPath(import.meta.url)), 'bench', process.argv.slice(2));
