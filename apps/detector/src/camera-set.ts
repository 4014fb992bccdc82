/**
 * The shard's running cameras, kept in line with its config: a new camera starts, a removed one
 * stops, one whose stream, analysis settings or model changed restarts alone, and every other
 * one takes its new zones, rules, sensitivity, cooldown and privacy live.
 */

import type { Logger } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type { CameraRunner, CameraStatus } from './camera.js';

/** What must restart a camera when it changes; anything else is applied live. */
export function restartKey(camera: CameraPlan): string {
  return JSON.stringify({ stream: camera.stream, analysis: camera.analysis, model: camera.model });
}

/** Options of {@link createCameraSet}. */
export interface CameraSetOptions {
  /** Starts one camera of `config`. */
  readonly start: (config: DetectorConfig, camera: CameraPlan) => Promise<CameraRunner>;
  readonly log: Logger;
}

/** The shard's running cameras. */
export interface CameraSet {
  /**
   * Brings the running cameras in line with `config`: those gone or changed past a live update
   * stop first, then the others are reconfigured and new ones started, in the config's order.
   * Calls must not overlap.
   */
  apply(config: DetectorConfig): Promise<void>;
  /** Each running camera's health. */
  statuses(): CameraStatus[];
  /** Stops every camera. */
  stop(): Promise<void>;
}

/** Creates an empty camera set; {@link CameraSet.apply} starts the cameras. */
export function createCameraSet(options: CameraSetOptions): CameraSet {
  const { log } = options;
  const cameras = new Map<string, { runner: CameraRunner; key: string }>();

  async function stopChanged(wanted: ReadonlyMap<string, CameraPlan>): Promise<void> {
    for (const [id, running] of cameras) {
      const camera = wanted.get(id);
      if (camera && restartKey(camera) === running.key) continue;
      cameras.delete(id);
      await running.runner.stop();
      log(
        'INFO',
        camera ? 'camera restarts for its new stream, analysis or model' : 'camera removed',
        { camera: id },
      );
    }
  }

  return {
    async apply(config) {
      await stopChanged(new Map(config.cameras.map((c) => [c.id, c])));
      for (const camera of config.cameras) {
        const running = cameras.get(camera.id);
        if (running) {
          running.runner.reconfigure(config, camera);
          continue;
        }
        cameras.set(camera.id, {
          runner: await options.start(config, camera),
          key: restartKey(camera),
        });
        log('INFO', 'camera started', { camera: camera.id, name: camera.name });
      }
    },
    statuses() {
      return [...cameras.values()].map((c) => c.runner.status());
    },
    async stop() {
      await Promise.all([...cameras.values()].map((c) => c.runner.stop()));
      cameras.clear();
    },
  };
}
