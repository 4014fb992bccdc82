#!/usr/bin/env node
// Regenerates every file derived from the client config schema. With --check, writes nothing
// and exits 1 when a committed file is stale, so CI catches a schema change without its outputs.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '@vigie/config/generate';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale = [];
for (const [path, content] of Object.entries(generatedFiles())) {
  const file = join(root, path);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === content) continue;
  if (check) {
    stale.push(path);
  } else {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    console.log(`generate: wrote ${path}`);
  }
}
if (stale.length > 0) {
  console.error(`generate: stale generated files (run npm run generate):\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
if (check) console.log('generate: all generated files are up to date');
