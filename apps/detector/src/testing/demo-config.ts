/**
 * Fixtures for the detector's unit tests: the demo store's shard config
 * (`examples/demo-store.xml` through the plan), for tests that need a real `DetectorConfig` and
 * change only what they are about, and an outbox in memory.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClientConfig } from '@vigie/config';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import { repoRoot } from '@vigie/testenv';
import type { Outbox } from '../outbox.js';

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

/** What a {@link memoryOutbox} was given. */
export interface OutboxRecord {
  readonly alerts: { id: string; alert: unknown; lighter: unknown }[];
  readonly clips: { id: string; bytes: number }[];
}

/** An outbox that keeps what it is given in memory and delivers nothing. */
export function memoryOutbox(): { outbox: Outbox; record: OutboxRecord } {
  const record: OutboxRecord = { alerts: [], clips: [] };
  const outbox: Outbox = {
    put(id, alert, lighter) {
      record.alerts.push({ id, alert, lighter });
      return Promise.resolve();
    },
    putClip(id, clip) {
      record.clips.push({ id, bytes: clip.length });
      return Promise.resolve();
    },
    depth: () => Promise.resolve(record.alerts.length),
    start() {
      // Nothing to deliver to.
    },
    stop: () => Promise.resolve(),
    drained: () => Promise.resolve(),
  };
  return { outbox, record };
}
