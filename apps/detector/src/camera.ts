/**
 * One camera's pipeline, top to bottom: frames in (stream or pose recording), the model,
 * tracking and rules, evidence, and alerts into the outbox. Zones, rules and sensitivity change
 * live; a change of stream, analysis or model restarts the camera (the detector decides which).
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fitAlert, type IngestEnvelope } from '@vigie/config';
import type { Logger } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type { Alert, CameraAnalyzer, FrameAnalysis, PersonPose } from '@vigie/vision';
import { createCameraAnalyzer, MOVENET_CALIBRATION } from '@vigie/vision';
import type { EvidenceRecorder, Sightings } from './evidence.js';
import { createEvidenceRecorder } from './evidence.js';
import type { CameraStream, TimedFrame } from './ingest.js';
import { openStream } from './ingest.js';
import type { DetectorMetrics } from './metrics.js';
import type { PoseModel, RgbFrame } from './models/model.js';

type TrackerScores = PoseModel['trackerScores'];
import type { Outbox } from './outbox.js';
import { analyseFrame, createPerception } from './perception.js';
import { regionSettings } from './regions.js';
import { scheduleActive } from './schedule.js';
import {
  analysisSize,
  isPoseRecording,
  loadPoseRecording,
  probeSize,
  replayPoses,
  streamErrorCode,
  withoutCredentials,
} from './sources.js';

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

/** What a camera needs from its detector. */
export interface CameraContext {
  readonly config: DetectorConfig;
  readonly camera: CameraPlan;
  /** The model for this camera, or the reason it could not be loaded. */
  readonly model: PoseModel | { readonly code: string; readonly message: string };
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

async function credentialUrl(camera: CameraPlan, secretsDir: string): Promise<string> {
  const secret = camera.stream.credentialsSecret;
  if (secret === undefined) return camera.stream.url;
  const read = async (key: string): Promise<string> =>
    (await readFile(join(secretsDir, secret, key), 'utf8')).trim();
  let username: string;
  let password: string;
  try {
    [username, password] = await Promise.all([read('username'), read('password')]);
  } catch {
    throw Object.assign(
      new Error(`the Secret "${secret}" with username and password is not mounted`),
      {
        code: 'VIGIE_E_CAMERA_SECRET',
      },
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

function caption(alert: Alert, cameraName: string): string {
  const rule = alert.rule.replace(/-/g, ' ');
  const when = new Date(alert.t * 1000).toISOString().slice(11, 19);
  return `${rule[0]?.toUpperCase() ?? ''}${rule.slice(1)} · track ${String(alert.trackId)} · ${cameraName} · ${when} UTC`;
}

/** Starts a camera. */
export function startCamera(ctx: CameraContext): CameraRunner {
  let config = ctx.config;
  let camera = ctx.camera;
  const { metrics, log } = ctx;
  const labels = { camera: camera.id };
  const controller = new AbortController();
  // A function, not the property: stop() aborts while the camera awaits.
  const aborted = (): boolean => controller.signal.aborted;
  let stream: CameraStream | undefined;
  let up = false;
  let lastFrameAt: number | undefined;
  let reconnects = 0;
  let error: { code: string; message: string } | undefined;
  let framesAnalysed = 0;
  let alertCount = 0;
  let scheduled = true;
  let evidenceChain = Promise.resolve();
  let lastKept = -Infinity;
  let analysisChain = Promise.resolve();
  // The tracker follows the calibration of the model that finds the persons: the camera's, or
  // for a pose recording the one its header names, else the default model's (as replay does).
  const analyzerFor = (tracker: TrackerScores): CameraAnalyzer =>
    createCameraAnalyzer({
      tracker,
      settings: {
        client: config.client,
        camera,
        rules: config.detection,
        cooldownSeconds: config.alerts.cooldownSeconds,
      },
    });
  let analyzer = analyzerFor(
    'detect' in ctx.model && !isPoseRecording(camera.stream.url)
      ? ctx.model.trackerScores
      : MOVENET_CALIBRATION.tracker,
  );
  let privacy = config.privacy;
  let recorder: EvidenceRecorder = createEvidenceRecorder({
    clipSeconds: privacy.clipSeconds,
    blurFaces: privacy.blurFaces,
  });

  const setError = (code: string, message: string): void => {
    if (error?.code !== code) {
      if (error) metrics.cameraError.remove({ camera: camera.id, code: error.code });
      metrics.cameraError.set({ camera: camera.id, code }, 1);
      log('WARNING', 'camera is not analysed', { camera: camera.id, code, reason: message });
    }
    error = { code, message };
  };
  const clearError = (): void => {
    if (error) metrics.cameraError.remove({ camera: camera.id, code: error.code });
    error = undefined;
  };
  metrics.cameraUp.set(labels, 0);

  async function raise(
    alert: Alert,
    shown: RgbFrame,
    person: PersonPose | undefined,
  ): Promise<void> {
    const zones = analyzer.zonesFor(shown.width, shown.height);
    const snapshot = await recorder.snapshot(
      shown,
      zones,
      alert,
      person,
      caption(alert, camera.name),
    );
    // Within the envelope's limits whatever the zones' names and the incident's length, so
    // that the console never refuses a real alert.
    const envelope: IngestEnvelope = {
      type: 'alert',
      alert: fitAlert({
        ...alert,
        shard: config.shard,
        cameraName: camera.name,
        detectedAt: new Date(alert.t * 1000).toISOString(),
      }),
      snapshot: { contentType: 'image/jpeg', data: snapshot.toString('base64') },
    };
    // The outbox keeps no copy elsewhere: the pod's scratch volume is small and the console
    // is where evidence is kept. During a long outage it may keep the alert without snapshot.
    await ctx.outbox.put(alert.id, envelope, { type: 'alert', alert: envelope.alert });
    alertCount++;
    metrics.alerts.inc({ camera: camera.id, rule: alert.rule });
    ctx.onAlertQueued?.(alert);
    log('INFO', 'alert', {
      camera: camera.id,
      alert: alert.id,
      rule: alert.rule,
      track: alert.trackId,
      explanation: alert.explanation,
    });
    // The clip follows the alert, so that the alert itself is never held up by video encoding.
    const clip = await recorder.clip(alert.t);
    if (clip) {
      await ctx.outbox.putClip(alert.id, clip);
    }
  }

  async function analyse(frame: TimedFrame, persons: readonly PersonPose[]): Promise<void> {
    const analysis = analyzer.analyze({
      t: frame.t,
      width: frame.width,
      height: frame.height,
      persons,
    });
    await keep(frame, analysis, { persons, others: analyzer.trackBoxes });
  }

  async function keep(
    frame: TimedFrame,
    analysis: FrameAnalysis,
    sightings: Sightings,
  ): Promise<void> {
    metrics.stageSeconds.observe({ stage: 'tracking' }, analysis.trackingSeconds);
    metrics.stageSeconds.observe({ stage: 'rules' }, analysis.rulesSeconds);
    metrics.activeTracks.set(labels, analyzer.activeTracks);
    metrics.framesAnalysed.inc(labels);
    framesAnalysed++;
    // A scene with nobody in it is kept once a second, not every frame: clips still show the
    // empty scene before someone walks in, and a quiet camera costs next to nothing.
    const empty =
      sightings.persons.length === 0 &&
      (sightings.others ?? []).length === 0 &&
      (sightings.tops ?? []).length === 0;
    if (empty && analysis.alerts.length === 0 && frame.t - lastKept < 1) return;
    lastKept = frame.t;
    const started = performance.now();
    const shown = await recorder.add(frame, sightings);
    metrics.stageSeconds.observe({ stage: 'evidence' }, (performance.now() - started) / 1000);
    for (const alert of analysis.alerts) {
      const person = analysis.tracks.find((t) => t.id === alert.trackId)?.pose;
      // Evidence is made in order, off the frame loop: the next frame does not wait for it.
      evidenceChain = evidenceChain
        .then(() => raise(alert, shown, person))
        .catch((e: unknown) => {
          log('ERROR', 'alert could not be queued', {
            camera: camera.id,
            alert: alert.id,
            error: String(e),
          });
        });
    }
  }

  function sawFrame(frame: TimedFrame): boolean {
    lastFrameAt = Date.now() / 1000;
    metrics.framesDecoded.inc(labels);
    const active = scheduleActive(config.schedule, config.timezone, new Date(frame.t * 1000));
    if (active !== scheduled) {
      scheduled = active;
      log('INFO', active ? 'detection window opens' : 'detection window closes', {
        camera: camera.id,
      });
    }
    return active;
  }

  async function runRecording(): Promise<void> {
    let recording;
    try {
      recording = await loadPoseRecording(camera.stream.url);
    } catch (e) {
      setError('VIGIE_E_STREAM_NOT_FOUND', e instanceof Error ? e.message : String(e));
      return;
    }
    if (recording.header) analyzer = analyzerFor(recording.header.tracker);
    up = true;
    metrics.cameraUp.set(labels, 1);
    await replayPoses({
      frames: recording.frames,
      signal: controller.signal,
      onFrame: async ({ frame, persons }) => {
        if (!sawFrame(frame)) return;
        await analyse(frame, persons);
      },
    });
  }

  async function runVideo(): Promise<void> {
    const model = ctx.model;
    if (!('detect' in model)) {
      setError(model.code, model.message);
      return;
    }
    let url: string;
    let size: { width: number; height: number } | undefined;
    let failures = 0;
    // Credentials and size are settled before the stream opens; both may take retries.
    for (;;) {
      if (aborted()) return;
      try {
        url = await credentialUrl(camera, ctx.secretsDir);
        const { width, height } = camera.analysis;
        size =
          width !== undefined && height !== undefined
            ? analysisSize({ width, height }, { width, height })
            : analysisSize(await probeSize(url, camera.stream.transport), {});
        break;
      } catch (e) {
        // ffprobe quotes the address it was given, credentials included.
        const message = withoutCredentials(e instanceof Error ? e.message : String(e));
        const code = (e as { code?: unknown }).code;
        setError(
          typeof code === 'string' && code.startsWith('VIGIE_E_') ? code : streamErrorCode(message),
          message,
        );
        reconnects++;
        metrics.cameraReconnects.inc(labels);
        failures++;
        await sleep(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)), controller.signal);
      }
    }
    if (aborted()) return;
    clearError();
    const perception = createPerception({ model, regions: regionSettings(camera.analysis) });
    stream = openStream({
      url,
      fps: camera.analysis.fps,
      width: size.width,
      height: size.height,
      transport: camera.stream.transport,
      onDecodeSeconds: (s) => {
        metrics.stageSeconds.observe({ stage: 'decode' }, s);
      },
      onState: (state) => {
        up = state.up;
        metrics.cameraUp.set(labels, state.up ? 1 : 0);
        if (state.up) {
          clearError();
          log('INFO', 'camera stream up', { camera: camera.id });
        } else {
          reconnects++;
          metrics.cameraReconnects.inc(labels);
          // The reason never includes the URL, which may carry credentials.
          setError(
            streamErrorCode(state.reason ?? ''),
            withoutCredentials((state.reason ?? 'stream ended').replaceAll(url, camera.stream.url)),
          );
        }
      },
      onFrame: (frame) => {
        if (!sawFrame(frame)) return Promise.resolve();
        // Frames are perceived one after another: each one's search follows the tracks of the
        // frames before it, exactly as `vigie poses` does on a file.
        const done = analysisChain.then(async () => {
          const result = await analyseFrame(perception, analyzer, frame);
          await keep(frame, result.analysis, result.sightings);
        });
        analysisChain = done.catch((e: unknown) => {
          log('WARNING', 'frame not analysed', { camera: camera.id, error: String(e) });
        });
        return done;
      },
    });
  }

  const running = (isPoseRecording(camera.stream.url) ? runRecording() : runVideo()).catch(
    (e: unknown) => {
      setError('VIGIE_E_CAMERA_FAILED', e instanceof Error ? e.message : String(e));
    },
  );

  return {
    reconfigure(nextConfig, nextCamera) {
      config = nextConfig;
      camera = nextCamera;
      analyzer.reconfigure({
        client: config.client,
        camera,
        rules: config.detection,
        cooldownSeconds: config.alerts.cooldownSeconds,
      });
      if (JSON.stringify(nextConfig.privacy) !== JSON.stringify(privacy)) {
        // New privacy settings apply to frames from now on; older frames are not kept.
        privacy = nextConfig.privacy;
        recorder = createEvidenceRecorder({
          clipSeconds: privacy.clipSeconds,
          blurFaces: privacy.blurFaces,
        });
      }
    },
    status() {
      return {
        id: camera.id,
        name: camera.name,
        up,
        ...(lastFrameAt === undefined ? {} : { lastFrameAt }),
        reconnects,
        ...(error ? { error } : {}),
        activeTracks: analyzer.activeTracks,
        framesAnalysed,
        alerts: alertCount,
        scheduled,
      };
    },
    async stop() {
      controller.abort();
      await stream?.close();
      await running;
      await analysisChain;
      await evidenceChain;
      for (const gauge of [metrics.cameraUp, metrics.activeTracks, metrics.lastFrameAge])
        gauge.remove(labels);
      if (error) metrics.cameraError.remove({ camera: camera.id, code: error.code });
    },
  };
}
