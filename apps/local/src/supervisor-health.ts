/**
 * What the local supervisor knows of its detectors' health: each detector's `/status`, polled,
 * and the per-camera view the console shows, derived from it.
 */

import type { CameraHealthEntry } from '@vigie/config';
import type { CameraHealth } from '@vigie/console';
import { cameraHealthView } from '@vigie/console';
import type { CameraStatus, DetectorStatus } from '@vigie/detector';
import { cameraHealth as reportedHealth } from '@vigie/detector';
import type { DetectorFailure, DetectorWorker } from './supervisor-process.js';

/** The part of a client's plan the camera view reads. */
export interface PlannedCameras {
  readonly shards: readonly {
    readonly name: string;
    readonly config: {
      readonly cameras: readonly { readonly id: string; readonly name: string }[];
    };
  }[];
  readonly disabledCameras: readonly string[];
}

/** The part of a shard's detector the camera view reads. */
export interface ObservedShard {
  readonly state: 'starting' | 'running' | 'crashed';
  readonly lastError?: DetectorFailure | undefined;
  readonly cameras: readonly CameraStatus[];
}

/**
 * A client's cameras and their health, disabled ones included: a crashed detector downs all its
 * cameras with its own error; otherwise each camera says what its detector last reported. Each
 * is first the entry a detector writes into a cluster's `Client` status, then the console's view
 * of it, through the same two mappings as in a cluster.
 */
export function cameraHealth(
  client: string,
  plan: PlannedCameras,
  shardOf: (shard: string) => ObservedShard | undefined,
): CameraHealth[] {
  const health: CameraHealth[] = [];
  for (const shard of plan.shards) {
    const worker = shardOf(shard.name);
    for (const camera of shard.config.cameras) {
      const entry = entryOf(camera.id, worker);
      health.push(cameraHealthView(client, entry, camera.name));
    }
  }
  for (const id of plan.disabledCameras) {
    health.push(cameraHealthView(client, { id, state: 'Disabled' }));
  }
  return health;
}

/** One camera's status entry, with what `vigie up` knows besides: why it is not up yet. */
function entryOf(id: string, worker: ObservedShard | undefined): CameraHealthEntry {
  if (worker?.state === 'crashed' && worker.lastError) {
    return { id, state: 'Down', reason: worker.lastError.code, message: worker.lastError.message };
  }
  const seen = worker?.cameras.find((c) => c.id === id);
  if (seen === undefined) return { id, state: 'Unknown', message: 'starting' };
  const reported = reportedHealth(seen);
  if (reported.state === 'Unknown') {
    return { ...reported, message: seen.scheduled ? 'starting' : 'outside opening hours' };
  }
  if (reported.state === 'Up' && seen.lastFrameAt !== undefined) {
    return { ...reported, lastFrameTime: new Date(seen.lastFrameAt * 1000).toISOString() };
  }
  return reported;
}

/** Reads each running detector's `/status`: its cameras, and that it is up. */
export async function pollDetectors(workers: Iterable<DetectorWorker>): Promise<void> {
  await Promise.all(
    [...workers].map(async (worker) => {
      if (worker.child === undefined) return;
      try {
        const response = await fetch(`http://127.0.0.1:${String(worker.port)}/status`, {
          signal: AbortSignal.timeout(1500),
        });
        if (!response.ok) return;
        const status = (await response.json()) as Partial<DetectorStatus>;
        worker.cameras = Array.isArray(status.cameras) ? status.cameras : [];
        worker.state = 'running';
        worker.lastError = undefined;
      } catch {
        // Starting, or busy: the next poll will tell.
      }
    }),
  );
}
