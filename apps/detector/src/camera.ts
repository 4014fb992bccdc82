/**
 * One camera's pipeline, top to bottom: frames in (stream or pose recording), the model,
 * tracking and rules, evidence, and alerts into the outbox. Zones, rules and sensitivity change
 * live; a change of stream, analysis or model restarts the camera (the camera set decides which).
 */

import type { Logger } from '@vigie/log';
import { errorMessage } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type { Alert } from '@vigie/vision';
import { createCameraAnalysis } from './camera-analysis.js';
import type { CameraStatus } from './camera-health.js';
import { createCameraHealth } from './camera-health.js';
import { replayRecording, streamVideo } from './camera-source.js';
import type { CameraStream } from './ingest.js';
import type { DetectorMetrics } from './metrics.js';
import type { ModelFailure } from './model-registry.js';
import type { PoseModel } from './models/model.js';
import type { Outbox } from './outbox.js';
import { isPoseRecording } from './sources.js';

export type { CameraStatus } from './camera-health.js';

/** What a camera needs from its detector. */
export interface CameraContext {
  readonly config: DetectorConfig;
  readonly camera: CameraPlan;
  /** The model for this camera, or the reason it could not be loaded. */
  readonly model: PoseModel | ModelFailure;
  readonly outbox: Outbox;
  readonly metrics: DetectorMetrics;
  readonly log: Logger;
  /** Where camera credential Secrets are mounted: `<dir>/<secret>/username` and `password`. */
  readonly secretsDir: string;
  /** Called when an alert is in the outbox, with its decisive frame's time, for latency. */
  readonly onAlertQueued?: (alert: Alert) => void;
}

/** A running camera. */
export interface CameraRunner {
  /** Takes new zones, rules, sensitivity, cooldown and privacy live; keeps the stream. */
  reconfigure(config: DetectorConfig, camera: CameraPlan): void;
  status(): CameraStatus;
  stop(): Promise<void>;
}

/** Starts a camera. */
export function startCamera(ctx: CameraContext): CameraRunner {
  const { metrics, log } = ctx;
  const health = createCameraHealth({ camera: ctx.camera.id, metrics, log });
  const analysis = createCameraAnalysis({
    config: ctx.config,
    camera: ctx.camera,
    model: 'detect' in ctx.model ? ctx.model : undefined,
    outbox: ctx.outbox,
    health,
    metrics,
    log,
    ...(ctx.onAlertQueued ? { onAlertQueued: ctx.onAlertQueued } : {}),
  });
  const controller = new AbortController();
  let stream: CameraStream | undefined;
  const source = { camera: ctx.camera, analysis, health, signal: controller.signal };
  const running = (
    isPoseRecording(ctx.camera.stream.url)
      ? replayRecording(source)
      : streamVideo({
          ...source,
          model: ctx.model,
          secretsDir: ctx.secretsDir,
          metrics,
          log,
          onOpen: (opened) => {
            stream = opened;
          },
        })
  ).catch((e: unknown) => {
    health.failed('VIGIE_E_CAMERA_FAILED', errorMessage(e));
  });

  return {
    reconfigure(config, camera) {
      analysis.reconfigure(config, camera);
    },
    status: () => health.status(analysis.camera(), analysis.activeTracks()),
    async stop() {
      controller.abort();
      await stream?.close();
      await running;
      await analysis.settled();
      health.release();
    },
  };
}
