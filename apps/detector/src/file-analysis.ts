/**
 * A camera's live analysis run on a video file: the same model, region budget, sampling and
 * tracker calibration as the camera, frame after frame from the file's start. `vigie poses`
 * records what it perceives, and the real-footage tests and benchmark judge it.
 */

import { pathToFileURL } from 'node:url';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import { createCameraAnalyzer } from '@vigie/vision';
import type { TimedFrame } from './ingest.js';
import type { PoseModel } from './models/model.js';
import type { FrameResult } from './perception.js';
import { analyseFrame, createPerception } from './perception.js';
import type { RegionSettings } from './regions.js';
import { regionSettings } from './regions.js';
import { analysisSize, probeSize } from './sources.js';
import { readVideoFile } from './video-file.js';

/** Options of {@link analyseVideoFile}. */
export interface FileAnalysisOptions {
  readonly path: string;
  /** The shard's config: rules, cooldown, client. */
  readonly config: DetectorConfig;
  readonly camera: CameraPlan;
  readonly model: PoseModel;
  /** The region budget; the camera's `<analysis>` settings by default. */
  readonly regions?: RegionSettings;
  readonly ffmpeg?: string;
}

/** One analysed frame of a file. */
export interface AnalysedFileFrame extends FrameResult {
  readonly frame: TimedFrame;
}

/** The frame size a camera analyses a file at: its hints, else the file's own size. */
export async function fileAnalysisSize(
  path: string,
  camera: CameraPlan,
): Promise<{ width: number; height: number }> {
  const { width, height } = camera.analysis;
  if (width !== undefined && height !== undefined)
    return analysisSize({ width, height }, { width, height });
  return analysisSize(await probeSize(pathToFileURL(path).href, 'tcp'), {});
}

/** Runs a camera's analysis over a video file, yielding each analysed frame in order. */
export async function* analyseVideoFile(
  options: FileAnalysisOptions,
): AsyncGenerator<AnalysedFileFrame> {
  const { config, camera, model } = options;
  const size = await fileAnalysisSize(options.path, camera);
  const analyzer = createCameraAnalyzer({
    tracker: model.trackerScores,
    settings: {
      client: config.client,
      camera,
      rules: config.detection,
      cooldownSeconds: config.alerts.cooldownSeconds,
    },
  });
  const perception = createPerception({
    model,
    regions: options.regions ?? regionSettings(camera.analysis),
  });
  for await (const frame of readVideoFile({
    path: options.path,
    fps: camera.analysis.fps,
    ...size,
    ...(options.ffmpeg ? { ffmpeg: options.ffmpeg } : {}),
  })) {
    yield { frame, ...(await analyseFrame(perception, analyzer, frame)) };
  }
}
