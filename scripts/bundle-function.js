#!/usr/bin/env node
// Bundles the config function for Cloud Functions (2nd gen): one ESM file with every dependency
// except the Functions Framework, which the Node.js runtime installs from package.json.
// Usage: node scripts/bundle-function.js [OUT_DIR]   (default .tmp/config-function)
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, '.tmp/config-function'));
const app = JSON.parse(await readFile(join(root, 'apps/config-function/package.json'), 'utf8'));
const framework = '@google-cloud/functions-framework';

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(root, 'apps/config-function/dist/main.js')],
  outfile: join(out, 'index.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: [framework],
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as vigieCreateRequire } from 'node:module'; const require = vigieCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await writeFile(
  join(out, 'package.json'),
  `${JSON.stringify(
    {
      name: 'vigie-config-function',
      private: true,
      type: 'module',
      main: 'index.mjs',
      engines: { node: '>=20' },
      dependencies: { [framework]: app.dependencies[framework] },
    },
    null,
    2,
  )}\n`,
);
console.log(`bundle-function: wrote ${out}`);
