/**
 * What the local supervisor knows of its detectors' health: each detector's `/status`, polled,
 * and the per-camera view the console shows, derived from it.
 */

import type { CameraHealth } from '@vigie/console';
import type { CameraStatus, DetectorStatus } from '@vigie/detector';
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
 * cameras with its own error; otherwise each camera says what its detector last reported.
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
      const seen = worker?.cameras.find((c) => c.id === camera.id);
      const base = { client, camera: camera.id, name: camera.name };
      if (worker?.state === 'crashed' && worker.lastError) {
        health.push({
          ...base,
          state: 'Down',
          code: worker.lastError.code,
          reason: worker.lastError.message,
        });
      } else if (seen?.error) {
        health.push({ ...base, state: 'Down', code: seen.error.code, reason: seen.error.message });
      } else if (seen?.up === true) {
        health.push({
          ...base,
          state: 'Up',
          ...(seen.lastFrameAt === undefined
            ? {}
            : { since: new Date(seen.lastFrameAt * 1000).toISOString() }),
        });
      } else {
        health.push({
          ...base,
          state: 'Unknown',
          reason: seen?.scheduled === false ? 'outside opening hours' : 'starting',
        });
      }
    }
  }
  for (const id of plan.disabledCameras) {
    health.push({ client, camera: id, name: id, state: 'Disabled' });
  }
  return health;
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
