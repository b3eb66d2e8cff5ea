/**
 * Benchmark runner: `npm run bench -- <name> [args]` runs bench/<name>.ts; with no name, all.
 * Every benchmark prints its figures as a ratio to a reference measured in the same run.
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
    console.error(`error: unknown benchmark "${n}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## bench ${n}`);
  const mod = (await import(join(here, `${n}.ts`))) as { run(args: string[]): Promise<void> };
  await mod.run(rest);
}
process.exit(0);
