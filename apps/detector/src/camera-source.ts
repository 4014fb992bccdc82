/**
 * Where a camera's frames come from: its video stream, opened with the credentials of its
 * Secret at its analysis size and reopened after failures, or a pose recording replayed at its
 * own pace. Either feeds the camera's analysis and reports to its health.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@vigie/log';
import { errorCode, errorMessage, VigieError } from '@vigie/log';
import type { CameraPlan } from '@vigie/plan';
import type { CameraAnalysis } from './camera-analysis.js';
import type { CameraHealth } from './camera-health.js';
import type { CameraStream } from './ingest.js';
import { openStream } from './ingest.js';
import type { DetectorMetrics } from './metrics.js';
import type { ModelFailure } from './model-registry.js';
import type { PoseModel } from './models/model.js';
import { createPerception } from './perception.js';
import { regionSettings } from './regions.js';
import {
  analysisSize,
  loadPoseRecording,
  probeSize,
  replayPoses,
  streamErrorCode,
  withoutCredentials,
} from './sources.js';

/** What every source feeds and reports to. */
export interface SourceOptions {
  /** The camera as it started: its stream and analysis settings do not change while it runs. */
  readonly camera: CameraPlan;
  readonly analysis: CameraAnalysis;
  readonly health: CameraHealth;
  /** Aborted when the camera stops. */
  readonly signal: AbortSignal;
}

/** Replays the camera's pose recording until the camera stops. */
export async function replayRecording(options: SourceOptions): Promise<void> {
  const { analysis, health } = options;
  let recording;
  try {
    recording = await loadPoseRecording(options.camera.stream.url);
  } catch (e) {
    health.failed('VIGIE_E_STREAM_NOT_FOUND', errorMessage(e));
    return;
  }
  if (recording.header) analysis.useTracker(recording.header.tracker);
  health.setUp(true);
  await replayPoses({
    frames: recording.frames,
    signal: options.signal,
    onFrame: async ({ frame, persons }) => {
      if (!analysis.decoded(frame)) return;
      await analysis.analysePoses(frame, persons);
    },
  });
}

/** Options of {@link streamVideo}. */
export interface VideoOptions extends SourceOptions {
  readonly model: PoseModel | ModelFailure;
  /** Where camera credential Secrets are mounted: `<dir>/<secret>/username` and `password`. */
  readonly secretsDir: string;
  readonly metrics: DetectorMetrics;
  readonly log: Logger;
  /** Called with the stream as soon as it is open, so that stopping the camera closes it. */
  readonly onOpen: (stream: CameraStream) => void;
}

async function credentialUrl(camera: CameraPlan, secretsDir: string): Promise<string> {
  const secret = camera.stream.credentialsSecret;
  if (secret === undefined) return camera.stream.url;
  const read = async (key: string): Promise<string> =>
    (await readFile(join(secretsDir, secret, key), 'utf8')).trim();
  let username: string;
  let password: string;
  try {
    [username, password] = await Promise.all([read('username'), read('password')]);
  } catch (error) {
    throw new VigieError(
      'VIGIE_E_CAMERA_SECRET',
      `the Secret "${secret}" with username and password is not mounted`,
      { cause: error },
    );
  }
  const url = new URL(camera.stream.url);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  return url.href;
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** A stream's address with credentials, and the size its frames are analysed at. */
interface Settled {
  readonly url: string;
  readonly size: { readonly width: number; readonly height: number };
}

/**
 * Reads the camera's credentials and settles its analysis size (probing the stream without
 * size hints), retrying with backoff; undefined once the camera stops.
 */
async function settleStream(options: VideoOptions): Promise<Settled | undefined> {
  const { camera, health, signal } = options;
  let failures = 0;
  for (;;) {
    if (signal.aborted) return undefined;
    try {
      const url = await credentialUrl(camera, options.secretsDir);
      const { width, height } = camera.analysis;
      const size =
        width !== undefined && height !== undefined
          ? analysisSize({ width, height }, { width, height })
          : analysisSize(await probeSize(url, camera.stream.transport), {});
      return { url, size };
    } catch (e) {
      // ffprobe quotes the address it was given, credentials included.
      const message = withoutCredentials(errorMessage(e));
      health.failed(errorCode(e) ?? streamErrorCode(message), message);
      health.reconnecting();
      failures++;
      await sleep(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)), signal);
    }
  }
}

/** Opens the camera's video stream once its credentials and size are settled. */
export async function streamVideo(options: VideoOptions): Promise<void> {
  const { camera, analysis, health, metrics, log, model } = options;
  if (!('detect' in model)) {
    health.failed(model.code, model.message);
    return;
  }
  // Credentials and size are settled before the stream opens; both may take retries.
  const settled = await settleStream(options);
  if (settled === undefined || options.signal.aborted) return;
  const { url, size } = settled;
  health.recovered();
  const perception = createPerception({ model, regions: regionSettings(camera.analysis) });
  options.onOpen(
    openStream({
      url,
      fps: camera.analysis.fps,
      width: size.width,
      height: size.height,
      transport: camera.stream.transport,
      onDecodeSeconds: (s) => {
        metrics.stageSeconds.observe({ stage: 'decode' }, s);
      },
      onState: (state) => {
        health.setUp(state.up);
        if (state.up) {
          health.recovered();
          log('INFO', 'camera stream up', { camera: camera.id });
          return;
        }
        health.reconnecting();
        // The reason never includes the URL, which may carry credentials.
        health.failed(
          streamErrorCode(state.reason ?? ''),
          withoutCredentials((state.reason ?? 'stream ended').replaceAll(url, camera.stream.url)),
        );
      },
      onFrame: (frame) =>
        analysis.decoded(frame) ? analysis.analyseVideoFrame(perception, frame) : Promise.resolve(),
    }),
  );
}
