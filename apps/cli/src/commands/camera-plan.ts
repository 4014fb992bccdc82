import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import { formatProblem } from '@vigie/config';
import type { CliIo } from '../io.js';
import { readConfig } from './read-config.js';

/** A camera as its detector runs it: its plan and its shard's config. */
export interface CameraRun {
  readonly client: string;
  readonly camera: CameraPlan;
  readonly shard: DetectorConfig;
}

/**
 * Reads a client config and finds camera `id` in the plan its detectors run, so that replay and
 * poses see exactly what the live detector sees. Reports problems on stderr and returns
 * `undefined` when the config is invalid or has no such enabled camera.
 */
export async function findCameraRun(
  command: string,
  configPath: string,
  id: string,
  io: CliIo,
): Promise<CameraRun | undefined> {
  const result = await readConfig(configPath, io);
  if (!result.ok) {
    for (const problem of result.problems) io.stderr(`${formatProblem(configPath, problem)}\n`);
    return undefined;
  }
  const config = result.config;
  const plan = planClient(config.id, config);
  for (const shard of plan.shards) {
    const camera = shard.config.cameras.find((c) => c.id === id);
    if (camera) return { client: config.id, camera, shard: shard.config };
  }
  const known = config.cameras.find((c) => c.id === id);
  io.stderr(
    known
      ? `vigie ${command}: camera "${id}" is disabled in ${configPath}\n`
      : `vigie ${command}: no camera "${id}" in ${configPath}; it has ${config.cameras.map((c) => c.id).join(', ')}\n`,
  );
  return undefined;
}
