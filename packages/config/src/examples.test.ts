import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@vigie/testenv';
import { generatedFiles } from './generate/index.js';
import type { ClientConfig } from './generated/types.js';
import { parseClientConfig } from './validate.js';

const root = repoRoot();
const examplesDir = join(root, 'examples');

function load(name: string): ClientConfig {
  const result = parseClientConfig(readFileSync(join(examplesDir, name)));
  assert.ok(result.ok, `${name}: ${JSON.stringify(result)}`);
  return result.config;
}

describe('examples', () => {
  it('are all valid', () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith('.xml'));
    assert.ok(files.length >= 9);
    for (const file of files) load(file);
  });

  it('show each feature', () => {
    assert.equal(load('minimal.xml').cameras.length, 1);
    const schedule = load('schedule.xml').schedule;
    assert.ok(
      schedule.windows.some((w) => w.close < w.open),
      'an overnight window',
    );
    assert.equal(schedule.closures.length, 2);
    const zoneTypes = new Set(load('zones.xml').cameras.flatMap((c) => c.zones.map((z) => z.type)));
    assert.deepEqual([...zoneTypes].sort(), [
      'checkout',
      'exit',
      'high-value',
      'restricted',
      'shelf',
    ]);
    const custom = load('custom-model.xml');
    assert.equal(custom.cameras[0]?.model, custom.models[0]?.id);
    const rules = load('detection-rules.xml').detection;
    assert.equal(rules.restrictedZone.enabled, false);
    assert.equal(load('alerts.xml').alerts.webhooks.length, 2);
    assert.equal(load('privacy.xml').privacy.evidenceRetentionDays, 14);
    assert.equal(load('resources-gpu.xml').resources.accelerator, 'nvidia-gpu');
  });
});

describe('generated files', () => {
  it('are up to date with the schema (run npm run generate)', () => {
    for (const [path, content] of Object.entries(generatedFiles())) {
      const committed = readFileSync(join(root, path), 'utf8');
      assert.ok(committed === content, `${path} is stale: run npm run generate`);
    }
  });
});
