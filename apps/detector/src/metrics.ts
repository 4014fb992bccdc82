/**
 * The detector's Prometheus metrics. Labels are cameras, rules and stages, never people.
 */

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The pipeline stages timed per frame. */
export type Stage = 'decode' | 'inference' | 'tracking' | 'rules' | 'evidence';

/** Every metric the detector exports. */
export interface DetectorMetrics {
  readonly registry: Registry;
  readonly framesDecoded: Counter<'camera'>;
  readonly framesAnalysed: Counter<'camera'>;
  readonly stageSeconds: Histogram<'stage'>;
  readonly activeTracks: Gauge<'camera'>;
  readonly alerts: Counter<'camera' | 'rule'>;
  readonly alertLatency: Histogram;
  readonly outboxDepth: Gauge;
  readonly outboxOldest: Gauge;
  readonly deliveries: Counter<'result'>;
  readonly evidenceShed: Counter<'kind'>;
  readonly cameraUp: Gauge<'camera'>;
  readonly cameraReconnects: Counter<'camera'>;
  readonly lastFrameAge: Gauge<'camera'>;
  readonly cameraError: Gauge<'camera' | 'code'>;
  readonly configReloads: Counter<'result'>;
  readonly info: Gauge<'client' | 'shard' | 'model'>;
}

/** Creates the detector's metrics in a registry of their own. */
export function createDetectorMetrics(): DetectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    framesDecoded: new Counter({
      name: 'vigie_detector_frames_decoded_total',
      help: 'Frames decoded from the camera at the analysis rate.',
      labelNames: ['camera'],
      registers,
    }),
    framesAnalysed: new Counter({
      name: 'vigie_detector_frames_analysed_total',
      help: 'Frames that went through the model, tracking and rules.',
      labelNames: ['camera'],
      registers,
    }),
    stageSeconds: new Histogram({
      name: 'vigie_detector_stage_seconds',
      help: 'Time per frame in each pipeline stage (decode is ffmpeg CPU time).',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
      registers,
    }),
    activeTracks: new Gauge({
      name: 'vigie_detector_active_tracks',
      help: 'People tracked on the camera now.',
      labelNames: ['camera'],
      registers,
    }),
    alerts: new Counter({
      name: 'vigie_detector_alerts_total',
      help: 'Alerts raised, by the rule that decided them.',
      labelNames: ['camera', 'rule'],
      registers,
    }),
    alertLatency: new Histogram({
      name: 'vigie_detector_alert_latency_seconds',
      help: 'From the decisive frame to the console confirming it stored the alert.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    outboxDepth: new Gauge({
      name: 'vigie_detector_outbox_depth',
      help: 'Alerts and evidence waiting on local disk for delivery to the console.',
      registers,
    }),
    outboxOldest: new Gauge({
      name: 'vigie_detector_outbox_oldest_seconds',
      help: 'Age of the oldest item waiting in the outbox.',
      registers,
    }),
    deliveries: new Counter({
      name: 'vigie_detector_deliveries_total',
      help: 'Delivery attempts to the console, by result.',
      labelNames: ['result'],
      registers,
    }),
    evidenceShed: new Counter({
      name: 'vigie_detector_evidence_shed_total',
      help: 'Clips and snapshots dropped to keep the outbox under its cap during a console outage (the alerts themselves are kept).',
      labelNames: ['kind'],
      registers,
    }),
    cameraUp: new Gauge({
      name: 'vigie_detector_camera_up',
      help: '1 while the camera stream delivers frames.',
      labelNames: ['camera'],
      registers,
    }),
    cameraReconnects: new Counter({
      name: 'vigie_detector_camera_reconnects_total',
      help: 'Times the camera stream was reopened after failing.',
      labelNames: ['camera'],
      registers,
    }),
    lastFrameAge: new Gauge({
      name: 'vigie_detector_camera_last_frame_age_seconds',
      help: 'Seconds since the camera last delivered a frame.',
      labelNames: ['camera'],
      registers,
    }),
    cameraError: new Gauge({
      name: 'vigie_detector_camera_error',
      help: '1 for the error code that keeps a camera from being analysed.',
      labelNames: ['camera', 'code'],
      registers,
    }),
    configReloads: new Counter({
      name: 'vigie_detector_config_reloads_total',
      help: 'Live config changes, by result (applied or rejected).',
      labelNames: ['result'],
      registers,
    }),
    info: new Gauge({
      name: 'vigie_detector_info',
      help: 'The client, shard and default model of this detector.',
      labelNames: ['client', 'shard', 'model'],
      registers,
    }),
  };
}
