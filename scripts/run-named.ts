/**
 * Runs `<dir>/<name>.ts` (each exporting `run(args)`) for `npm run bench` and `npm run eval`: the
 * named one, or all of them; `isEntry` tells runnable files from helpers kept beside them.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export async function runNamed(
  dir: string,
  kind: string,
  argv: string[],
  isEntry: (name: string) => boolean = () => true,
): Promise<never> {
  const available = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.includes('.test.'))
    .map((f) => f.replace(/\.ts$/, ''))
    .filter(isEntry)
    .sort();
  const [name, ...rest] = argv;
  const chosen = name ? [name] : available;
  for (const n of chosen) {
    if (!available.includes(n)) {
      console.error(`error: unknown ${kind} "${n}"; available: ${available.join(', ')}`);
      process.exit(2);
    }
    console.log(`\n## ${kind} ${n}`);
    const mod = (await import(join(dir, `${n}.ts`))) as { run(args: string[]): Promise<void> };
    await mod.run(rest);
  }
  process.exit(0);
}
