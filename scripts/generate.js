#!/usr/bin/env node
// Regenerates every derived file: what the client config schema gives (types, XSD, CRD, docs),
// the runtime codes reference from their registry, and the monitoring objects built from the
// one alert rule file. With --check, writes nothing and exits 1 when a committed file is stale,
// so CI catches a source change without its outputs.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '@vigie/config/generate';
import { generatedFiles as runtimeCodeFiles } from '@vigie/log/generate';
import { monitoringFiles } from './monitoring.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale = [];
const files = { ...generatedFiles(), ...runtimeCodeFiles(), ...monitoringFiles(root) };
for (const [path, content] of Object.entries(files)) {
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
