#!/usr/bin/env node
// Runs the compiled build in dist/ (`npm install` builds it; `npm run build` after changing sources).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('error: msec is not built yet: run `npm run build` (npm install runs it)');
  process.exit(1);
}
// `msec … | head`: a reader that closed the pipe ends the command quietly, as for POSIX tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
