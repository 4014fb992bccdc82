/**
 * A camera's analysis: the tracker and rules (`@vigie/vision`) on the persons found in each
 * frame, then the frame's evidence. Zones, rules, sensitivity, cooldown and privacy change live.
 */

import type { Logger } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type {
  Alert,
  CameraSettings,
  CameraAnalyzer,
  FrameAnalysis,
  PersonPose,
} from '@vigie/vision';
import { createCameraAnalyzer, MOVENET_CALIBRATION } from '@vigie/vision';
import { createCameraEvidence } from './camera-evidence.js';
import type { CameraHealth } from './camera-health.js';
import type { Sightings } from './evidence.js';
import type { TimedFrame } from './ingest.js';
import type { DetectorMetrics } from './metrics.js';
import type { PoseModel } from './models/model.js';
import type { Outbox } from './outbox.js';
import type { Perception } from './perception.js';
import { analyseFrame } from './perception.js';
import { isPoseRecording } from './sources.js';

/** The tracker's score thresholds of a model. */
export type TrackerScores = PoseModel['trackerScores'];

/** Options of {@link createCameraAnalysis}. */
export interface CameraAnalysisOptions {
  readonly config: DetectorConfig;
  readonly camera: CameraPlan;
  /** The model that finds the persons, whose calibration the tracker follows, if any. */
  readonly model: PoseModel | undefined;
  readonly outbox: Outbox;
  readonly health: CameraHealth;
  readonly metrics: DetectorMetrics;
  readonly log: Logger;
  readonly onAlertQueued?: (alert: Alert) => void;
}

/** A camera's analysis. */
export interface CameraAnalysis {
  /** The camera as last configured. */
  camera(): CameraPlan;
  activeTracks(): number;
  /** Takes new zones, rules, sensitivity, cooldown and privacy. */
  reconfigure(config: DetectorConfig, camera: CameraPlan): void;
  /** Follows another model's calibration, from now on (a pose recording names its own). */
  useTracker(tracker: TrackerScores): void;
  /** Counts a frame in; whether the schedule has it analysed. */
  decoded(frame: TimedFrame): boolean;
  /** Tracks and rules on persons already found (a pose recording), then evidence. */
  analysePoses(frame: TimedFrame, persons: readonly PersonPose[]): Promise<void>;
  /** Perceives a video frame once the frames before it are done, then as {@link analysePoses}. */
  analyseVideoFrame(perception: Perception, frame: TimedFrame): Promise<void>;
  /** Resolves once every frame in flight is analysed and its alerts queued. */
  settled(): Promise<void>;
}

function settingsOf(config: DetectorConfig, camera: CameraPlan): CameraSettings {
  return {
    client: config.client,
    camera,
    rules: config.detection,
    cooldownSeconds: config.alerts.cooldownSeconds,
  };
}

/** Starts a camera's analysis. */
export function createCameraAnalysis(options: CameraAnalysisOptions): CameraAnalysis {
  let { config, camera } = options;
  const { metrics, log, health } = options;
  // The tracker follows the calibration of the model that finds the persons: the camera's, or
  // for a pose recording the one its header names, else the default model's (as replay does).
  const analyzerFor = (tracker: TrackerScores): CameraAnalyzer =>
    createCameraAnalyzer({ tracker, settings: settingsOf(config, camera) });
  let analyzer = analyzerFor(
    options.model && !isPoseRecording(camera.stream.url)
      ? options.model.trackerScores
      : MOVENET_CALIBRATION.tracker,
  );
  const evidence = createCameraEvidence({
    camera: camera.id,
    privacy: config.privacy,
    place: () => ({
      shard: config.shard,
      cameraName: camera.name,
      zonesFor: (width, height) => analyzer.zonesFor(width, height),
    }),
    outbox: options.outbox,
    health,
    metrics,
    log,
    ...(options.onAlertQueued ? { onAlertQueued: options.onAlertQueued } : {}),
  });
  let chain = Promise.resolve();

  const keep = async (
    frame: TimedFrame,
    analysis: FrameAnalysis,
    sightings: Sightings,
  ): Promise<void> => {
    metrics.stageSeconds.observe({ stage: 'tracking' }, analysis.trackingSeconds);
    metrics.stageSeconds.observe({ stage: 'rules' }, analysis.rulesSeconds);
    health.frameAnalysed(analyzer.activeTracks);
    await evidence.keep(frame, analysis, sightings);
  };

  return {
    camera: () => camera,
    activeTracks: () => analyzer.activeTracks,
    reconfigure(nextConfig, nextCamera) {
      config = nextConfig;
      camera = nextCamera;
      analyzer.reconfigure(settingsOf(config, camera));
      evidence.setPrivacy(config.privacy);
    },
    useTracker(tracker) {
      analyzer = analyzerFor(tracker);
    },
    decoded: (frame) => health.frameDecoded(frame, config),
    async analysePoses(frame, persons) {
      const { t, width, height } = frame;
      const analysis = analyzer.analyze({ t, width, height, persons });
      await keep(frame, analysis, { persons, others: analyzer.trackBoxes });
    },
    analyseVideoFrame(perception, frame) {
      // Frames are perceived one after another: each one's search follows the tracks of the
      // frames before it, exactly as `vigie poses` does on a file.
      const done = chain.then(async () => {
        const result = await analyseFrame(perception, analyzer, frame);
        await keep(frame, result.analysis, result.sightings);
      });
      chain = done.catch((e: unknown) => {
        log('WARNING', 'frame not analysed', { camera: camera.id, error: String(e) });
      });
      return done;
    },
    async settled() {
      await chain;
      await evidence.settled();
    },
  };
}
