/**
 * Evaluation runner: `npm run eval -- <name> [args]` runs eval/<name>.ts; with no name, all.
 * Evaluations measure quality (how well a model does against ground truth), next to a baseline.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.includes('.test.'))
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
