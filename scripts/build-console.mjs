// Builds the web console (src/console/web) with Vite into dist/console/web. Run by build.mjs after
// the TypeScript emit, so `npm install` (prepare) and `npm run build` both produce it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  root: join(root, 'src', 'console', 'web'),
  base: '/',
  logLevel: 'warn',
  configFile: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(root, 'dist', 'console', 'web'),
    emptyOutDir: true,
    // No inline scripts or data: modules: the CSP allows only files from msec itself.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
console.log('build: console bundled to dist/console/web');
