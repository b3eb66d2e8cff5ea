/**
 * Evaluation runner: `npm run eval -- <name> [args]` runs eval/<name>.ts; with no name, all.
 * Evaluations measure quality (how well a module does against ground truth or a baseline) and print the figures.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Helpers carry a dash in their name (anonymizer-set.ts): only whole evaluations are listed.
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.includes('.test.') && !f.includes('-'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const [name, ...rest] = process.argv.slice(2);
const chosen = name ? [name] : available;
for (const n of chosen) {
  if (!available.includes(n)) {
    console.error(`error: unknown evaluation "${n}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## eval ${n}`);
  const mod = (await import(join(here, `${n}.ts`))) as { run(args: string[]): Promise<void> };
  await mod.run(rest);
}
process.exit(0);
