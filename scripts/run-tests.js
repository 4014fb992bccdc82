#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under each workspace's dist/) with Node's test
// runner. Build first (`npm run build`). Pass file-name fragments to run only matching files.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function find(dir, out) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) find(path, out);
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = [];
for (const group of ['packages', 'apps', 'testing']) {
  for (const ws of readdirSync(join(root, group))) {
    const dist = join(root, group, ws, 'dist');
    try {
      find(dist, files);
    } catch {
      // A workspace that has not been built has no tests to run.
    }
  }
}
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (selected.length === 0) {
  console.error('run-tests: no compiled test files found; run npm run build first');
  process.exit(1);
}
console.log(`run-tests: ${String(selected.length)} test files`);
const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-reporter=spec',
    ...selected.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
