import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@vigie/testenv';
import { generatedFiles } from './generate/index.js';
import { RUNTIME_CODES } from './runtime-codes.js';

/** The source files of apps/ and packages/, tests and build outputs left out. */
function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'dist' && entry.name !== 'node_modules') sourceFiles(path, out);
    } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** The config problem codes, which have a registry of their own in @vigie/config. */
function configCodes(root: string): Set<string> {
  const text = readFileSync(join(root, 'packages/config/src/problems/codes.ts'), 'utf8');
  return new Set(Array.from(text.matchAll(/^\s+(VIGIE_E_[A-Z0-9_]+):/gm), (m) => m[1] ?? ''));
}

describe('RUNTIME_CODES', () => {
  it('documents every VIGIE_E_ code written in the source', () => {
    const root = repoRoot();
    const config = configCodes(root);
    assert.ok(config.has('VIGIE_E_XML_SYNTAX'), 'the config codes are found');
    const registered = Object.keys(RUNTIME_CODES);
    const missing: string[] = [];
    for (const file of ['apps', 'packages'].flatMap((d) => sourceFiles(join(root, d)))) {
      const text = readFileSync(file, 'utf8');
      for (const [, prefix, code = ''] of text.matchAll(
        /(startsWith\(\s*)?['"`](VIGIE_E_[A-Z0-9_]*[A-Z0-9])\b/g,
      )) {
        if (config.has(code) || Object.hasOwn(RUNTIME_CODES, code)) continue;
        // A family tested by prefix, such as every model code.
        if (prefix !== undefined && registered.some((c) => c.startsWith(code))) continue;
        missing.push(`${file.slice(root.length + 1)}: ${code}`);
      }
    }
    assert.deepEqual(missing, [], 'codes missing from packages/log/src/runtime-codes.ts');
  });

  it('says where, what and what to do for each code, on one line each', () => {
    for (const [code, info] of Object.entries(RUNTIME_CODES)) {
      for (const text of [info.where, info.meaning, info.action]) {
        assert.ok(text.length > 0 && !text.includes('\n'), code);
      }
    }
  });

  it('keeps docs/runtime-codes.md as generated', () => {
    for (const [path, content] of Object.entries(generatedFiles())) {
      assert.equal(readFileSync(join(repoRoot(), path), 'utf8'), content, path);
    }
  });
});
