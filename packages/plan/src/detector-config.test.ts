import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseClientConfig, toClientResource } from '@vigie/config';
import { repoRoot } from '@vigie/testenv';
import { parseDetectorConfig } from './detector-config.js';
import { planClient } from './plan.js';

/** A shard's config as the operator writes it, read back from its JSON. */
function writtenConfig(): Record<string, unknown> {
  const xml = readFileSync(join(repoRoot(), 'examples', 'full-store.xml'), 'utf8');
  const result = parseClientConfig(xml);
  assert.ok(result.ok, JSON.stringify(result));
  const shard = planClient('mall-anchor', toClientResource(result.config).spec).shards[0];
  assert.ok(shard);
  return JSON.parse(JSON.stringify(shard.config)) as Record<string, unknown>;
}

/** The config with its first camera edited. */
function withCamera(edit: (camera: Record<string, unknown>) => void): Record<string, unknown> {
  const config = writtenConfig();
  const cameras = config.cameras as Record<string, unknown>[];
  edit(cameras[0]!);
  return config;
}

function messageOf(value: unknown): string {
  const checked = parseDetectorConfig(value);
  assert.ok(!checked.ok, 'the config is refused');
  return checked.message;
}

describe('parseDetectorConfig', () => {
  it('takes every config the plan writes, as it is', () => {
    const config = writtenConfig();
    const checked = parseDetectorConfig(config);
    assert.ok(checked.ok);
    assert.deepEqual(checked.config, config);
  });

  it('refuses a value that is not a detector config', () => {
    assert.equal(messageOf([]), 'the config must be a JSON object');
    assert.equal(messageOf(null), 'the config must be a JSON object');
    assert.equal(
      messageOf({ ...writtenConfig(), kind: 'Client' }),
      'apiVersion must be vigie.dev/v1alpha1 and kind DetectorConfig',
    );
    assert.equal(messageOf({ ...writtenConfig(), shard: '' }), '"shard" must be a string');
    assert.equal(messageOf({ ...writtenConfig(), alerts: [] }), '"alerts" must be an object');
    assert.equal(messageOf({ ...writtenConfig(), cameras: {} }), '"cameras" must be an array');
  });

  it('names the camera at fault and what is wrong with it', () => {
    const cases: [(camera: Record<string, unknown>) => void, string][] = [
      [(c) => delete c.id, 'cameras[0] needs an "id"'],
      [(c) => (c.stream = { url: 42 }), 'cameras[0].stream.url must be a string'],
      [(c) => (c.stream = { url: 'not a url' }), 'cameras[0].stream.url is not a URL'],
      [(c) => (c.analysis = { fps: 0 }), 'cameras[0].analysis.fps must be a number in (0, 30]'],
      [(c) => (c.analysis = { fps: 31 }), 'cameras[0].analysis.fps must be a number in (0, 30]'],
      [(c) => (c.zones = null), 'cameras[0].zones must be an array'],
      [(c) => (c.model = 'default'), 'cameras[0].model must be an object'],
    ];
    for (const [edit, message] of cases) assert.equal(messageOf(withCamera(edit)), message);
  });

  it('refuses a camera that appears twice', () => {
    const config = writtenConfig();
    const cameras = config.cameras as Record<string, unknown>[];
    assert.ok(cameras.length >= 2, 'the example shard has two cameras or more');
    cameras[1] = { ...cameras[1], id: cameras[0]!.id };
    assert.equal(messageOf(config), `cameras[1]: camera "${String(cameras[0]!.id)}" appears twice`);
  });
});
