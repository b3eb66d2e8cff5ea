#!/usr/bin/env node
// Compiles src/ to dist/ file by file (TypeScript's own emitter, imports rewritten from .ts to .js)
// and copies the resources read beside the sources (JSON artefacts, rule files, schemas). Types are
// checked by `npm run typecheck`; this step only emits, so it takes seconds, not a minute.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');
const options = {
  target: ts.ScriptTarget.ES2022,
  // The package is "type": "module": emit ES modules (transpileModule cannot read package.json).
  module: ts.ModuleKind.ESNext,
  rewriteRelativeImportExtensions: true,
  verbatimModuleSyntax: true,
  sourceMap: true,
  inlineSources: false,
};

// The browser app is Vite's to build (below), not emitted or copied file by file.
const isConsoleWeb = (rel) => rel.startsWith(join('console', 'web'));
const isTest = (f) => /\.test(-helpers)?\.ts$/.test(f);
function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

rmSync(out, { recursive: true, force: true });
let compiled = 0;
let copied = 0;
for (const file of walk(src)) {
  const rel = relative(src, file);
  if (isConsoleWeb(rel)) continue;
  const target = join(out, rel);
  mkdirSync(dirname(target), { recursive: true });
  if (file.endsWith('.ts')) {
    if (isTest(file) || file.endsWith('.d.ts')) continue;
    const { outputText, sourceMapText, diagnostics } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: options,
      fileName: file,
      reportDiagnostics: true,
    });
    if (diagnostics?.length) {
      for (const d of diagnostics) console.error(`${rel}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      process.exit(1);
    }
    const js = target.replace(/\.ts$/, '.js');
    writeFileSync(js, outputText);
    if (sourceMapText) writeFileSync(`${js}.map`, sourceMapText);
    compiled++;
  } else {
    cpSync(file, target);
    copied++;
  }
}
console.log(`build: ${compiled} modules compiled, ${copied} resources copied to dist/`);
await import('./build-console.mjs');
