/**
 * The demo store's shard config (`examples/demo-store.xml` through the plan), for tests that
 * need a real `DetectorConfig` and change only what they are about.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClientConfig } from '@vigie/config';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import { repoRoot } from '@vigie/testenv';

/** The demo store's first shard, whose one camera is `aisle`. */
export function demoConfig(): DetectorConfig {
  const parsed = parseClientConfig(readFileSync(join(repoRoot(), 'examples/demo-store.xml')));
  if (!parsed.ok) throw new Error('examples/demo-store.xml does not parse');
  const config = planClient(parsed.config.id, parsed.config).shards[0]?.config;
  if (!config) throw new Error('the demo store plans no shard');
  return config;
}

/** The demo camera with `changes`: another id, stream, model and so on. */
export function demoCamera(changes: Partial<CameraPlan> = {}): CameraPlan {
  const camera = demoConfig().cameras[0];
  if (!camera) throw new Error('the demo store has no camera');
  return { ...camera, ...changes };
}
