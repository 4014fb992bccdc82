// Builds the console's review UI into apps/console/dist/ui: type-checks it with its own
// tsconfig (DOM, Preact), bundles it with esbuild, and writes index.html with each asset's
// content digest in its URL (`/ui/app.js?v=…`), so that assets can be cached for good.
//
//   node apps/console/ui/build.js            type-check, then bundle
//   node apps/console/ui/build.js --no-check bundle only (faster while iterating)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'ui');
const check = !process.argv.includes('--no-check');

if (check) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json'), '--noEmit'], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('console UI: type check failed');
    process.exit(1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [
    { in: join(here, 'src', 'main.tsx'), out: 'app' },
    { in: join(here, 'src', 'styles.css'), out: 'app' },
  ],
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src', 'favicon.svg'), join(out, 'favicon.svg'));

/** The same short digest the console's `uiRoutes` computes for its cache headers. */
const digest = (file) =>
  createHash('sha256')
    .update(readFileSync(join(out, file)))
    .digest('hex')
    .slice(0, 16);

let html = readFileSync(join(here, 'index.html'), 'utf8');
for (const file of ['app.js', 'app.css', 'favicon.svg']) {
  html = html.replace(`/ui/${file}"`, `/ui/${file}?v=${digest(file)}"`);
}
writeFileSync(join(out, 'index.html'), html);
console.log(`console UI: built ${out}`);
