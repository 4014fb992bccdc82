/**
 * A camera's health: whether its stream is up, its last frame, reconnects, the error that stops
 * it with its stable code, what it analysed and raised, and whether the schedule has it
 * analysing. Kept for `/status` and the console, and mirrored in the camera's metrics.
 */

import type { Logger } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type { TimedFrame } from './ingest.js';
import type { DetectorMetrics } from './metrics.js';
import { scheduleActive } from './schedule.js';

/** A camera's health, for `/status`, metrics and the console. */
export interface CameraStatus {
  readonly id: string;
  readonly name: string;
  readonly up: boolean;
  /** Seconds since the epoch of the last frame, if any. */
  readonly lastFrameAt?: number;
  readonly reconnects: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly activeTracks: number;
  readonly framesAnalysed: number;
  readonly alerts: number;
  /** False outside the schedule's opening windows. */
  readonly scheduled: boolean;
}

/** Options of {@link createCameraHealth}. */
export interface CameraHealthOptions {
  /** The camera's ID: its metrics' label. */
  readonly camera: string;
  readonly metrics: DetectorMetrics;
  readonly log: Logger;
}

/** One camera's health, as its pipeline reports it. */
export interface CameraHealth {
  /** The camera is not analysed, for this reason; a new code is logged and counted once. */
  failed(code: string, message: string): void;
  /** Whatever stopped the camera is over. */
  recovered(): void;
  setUp(up: boolean): void;
  /** The stream is opened again after a failure. */
  reconnecting(): void;
  /** A frame came in; whether the schedule has the camera analysing at its time. */
  frameDecoded(frame: TimedFrame, config: DetectorConfig): boolean;
  frameAnalysed(activeTracks: number): void;
  alertQueued(rule: string): void;
  status(camera: CameraPlan, activeTracks: number): CameraStatus;
  /** Removes the camera's metrics, once it has stopped. */
  release(): void;
}

/** Starts a camera's health as down, with nothing seen yet. */
export function createCameraHealth(options: CameraHealthOptions): CameraHealth {
  const { metrics, log } = options;
  const labels = { camera: options.camera };
  let up = false;
  let lastFrameAt: number | undefined;
  let reconnects = 0;
  let error: { code: string; message: string } | undefined;
  let framesAnalysed = 0;
  let alerts = 0;
  let scheduled = true;
  metrics.cameraUp.set(labels, 0);

  const recovered = (): void => {
    if (error) metrics.cameraError.remove({ ...labels, code: error.code });
    error = undefined;
  };
  return {
    failed(code, message) {
      if (error?.code !== code) {
        if (error) metrics.cameraError.remove({ ...labels, code: error.code });
        metrics.cameraError.set({ ...labels, code }, 1);
        log('WARNING', 'camera is not analysed', { ...labels, code, reason: message });
      }
      error = { code, message };
    },
    recovered,
    setUp(now) {
      up = now;
      metrics.cameraUp.set(labels, now ? 1 : 0);
    },
    reconnecting() {
      reconnects++;
      metrics.cameraReconnects.inc(labels);
    },
    frameDecoded(frame, config) {
      lastFrameAt = Date.now() / 1000;
      metrics.framesDecoded.inc(labels);
      const active = scheduleActive(config.schedule, config.timezone, new Date(frame.t * 1000));
      if (active !== scheduled) {
        scheduled = active;
        log('INFO', active ? 'detection window opens' : 'detection window closes', labels);
      }
      return active;
    },
    frameAnalysed(activeTracks) {
      metrics.activeTracks.set(labels, activeTracks);
      metrics.framesAnalysed.inc(labels);
      framesAnalysed++;
    },
    alertQueued(rule) {
      alerts++;
      metrics.alerts.inc({ ...labels, rule });
    },
    status(camera, activeTracks) {
      return {
        id: camera.id,
        name: camera.name,
        up,
        ...(lastFrameAt === undefined ? {} : { lastFrameAt }),
        reconnects,
        ...(error ? { error } : {}),
        activeTracks,
        framesAnalysed,
        alerts,
        scheduled,
      };
    },
    release() {
      for (const gauge of [metrics.cameraUp, metrics.activeTracks, metrics.lastFrameAge])
        gauge.remove(labels);
      if (error) metrics.cameraError.remove({ ...labels, code: error.code });
    },
  };
}
