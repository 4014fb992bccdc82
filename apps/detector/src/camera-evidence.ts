/**
 * A camera's evidence: analysed frames kept for clips with heads hidden, and each alert's way
 * out, its snapshot drawn, the envelope fitted to the console's limits and written to the
 * outbox, then its clip. Evidence is made in order, off the frame loop.
 */

import { fitAlert, type IngestEnvelope } from '@vigie/config';
import type { Logger } from '@vigie/log';
import type { DetectorConfig } from '@vigie/plan';
import type { Alert, FrameAnalysis, PersonPose, PixelZone } from '@vigie/vision';
import type { CameraHealth } from './camera-health.js';
import type { EvidenceRecorder, Sightings } from './evidence.js';
import { createEvidenceRecorder } from './evidence.js';
import type { TimedFrame } from './ingest.js';
import type { DetectorMetrics } from './metrics.js';
import type { RgbFrame } from './models/model.js';
import type { Outbox } from './outbox.js';

/** The line drawn under a snapshot: rule, track, camera and time. */
export function caption(alert: Alert, cameraName: string): string {
  const rule = alert.rule.replace(/-/g, ' ');
  const when = new Date(alert.t * 1000).toISOString().slice(11, 19);
  return `${rule[0]?.toUpperCase() ?? ''}${rule.slice(1)} · track ${String(alert.trackId)} · ${cameraName} · ${when} UTC`;
}

/** One alert to queue, with what its evidence shows. */
export interface AlertToQueue {
  readonly alert: Alert;
  /** The decisive frame, heads already hidden. */
  readonly shown: RgbFrame;
  /** The pose of the person the alert is about, drawn on the snapshot. */
  readonly person: PersonPose | undefined;
  /** The camera's zones in the frame's pixels, drawn on the snapshot. */
  readonly zones: readonly PixelZone[];
  readonly shard: string;
  readonly cameraName: string;
  /**
   * The camera's recorder, read at each step: once new privacy settings replace it, the clip
   * comes from the new one, so that no frame kept under the old settings leaves.
   */
  readonly recorder: () => EvidenceRecorder;
  readonly outbox: Outbox;
  /** Called once the alert is in the outbox, before its clip is made. */
  readonly onQueued: () => void;
}

/** Puts an alert with its snapshot into the outbox, then its clip. */
export async function queueAlert(item: AlertToQueue): Promise<void> {
  const { alert, outbox } = item;
  const snapshot = await item
    .recorder()
    .snapshot(item.shown, item.zones, alert, item.person, caption(alert, item.cameraName));
  // Within the envelope's limits whatever the zones' names and the incident's length, so
  // that the console never refuses a real alert.
  const envelope: IngestEnvelope = {
    type: 'alert',
    alert: fitAlert({
      ...alert,
      shard: item.shard,
      cameraName: item.cameraName,
      detectedAt: new Date(alert.t * 1000).toISOString(),
    }),
    snapshot: { contentType: 'image/jpeg', data: snapshot.toString('base64') },
  };
  // The outbox keeps no copy elsewhere: the pod's scratch volume is small and the console
  // is where evidence is kept. During a long outage it may keep the alert without snapshot.
  await outbox.put(alert.id, envelope, { type: 'alert', alert: envelope.alert });
  item.onQueued();
  // The clip follows the alert, so that the alert itself is never held up by video encoding.
  const clip = await item.recorder().clip(alert.t);
  if (clip) {
    await outbox.putClip(alert.id, clip);
  }
}

/** Where a camera's alerts come from, read when each alert is queued (it changes live). */
export interface AlertPlace {
  readonly shard: string;
  readonly cameraName: string;
  /** The camera's zones in a frame's pixels. */
  zonesFor(width: number, height: number): readonly PixelZone[];
}

/** Options of {@link createCameraEvidence}. */
export interface CameraEvidenceOptions {
  /** The camera's ID, for logs. */
  readonly camera: string;
  readonly privacy: DetectorConfig['privacy'];
  readonly place: () => AlertPlace;
  readonly outbox: Outbox;
  readonly health: CameraHealth;
  readonly metrics: DetectorMetrics;
  readonly log: Logger;
  /** Called when an alert is in the outbox. */
  readonly onAlertQueued?: (alert: Alert) => void;
}

/** A camera's evidence. */
export interface CameraEvidence {
  /**
   * Keeps an analysed frame for clips, heads hidden, and queues its alerts behind the ones
   * before them; resolves once the frame is kept, not when its alerts are queued.
   */
  keep(frame: TimedFrame, analysis: FrameAnalysis, sightings: Sightings): Promise<void>;
  /** New privacy settings apply to frames from now on; older frames are not kept. */
  setPrivacy(privacy: DetectorConfig['privacy']): void;
  /** Resolves once every alert queued so far is in the outbox with its clip, or failed. */
  settled(): Promise<void>;
}

/** Whether nobody is seen in a frame: no pose, no tracked box, no moving shape. */
function nobodySeen(sightings: Sightings): boolean {
  return (
    sightings.persons.length === 0 &&
    (sightings.others ?? []).length === 0 &&
    (sightings.tops ?? []).length === 0
  );
}

/** Starts a camera's evidence with its privacy settings. */
export function createCameraEvidence(options: CameraEvidenceOptions): CameraEvidence {
  const { metrics, log, health } = options;
  const recorderFor = (privacy: DetectorConfig['privacy']): EvidenceRecorder =>
    createEvidenceRecorder({ clipSeconds: privacy.clipSeconds, blurFaces: privacy.blurFaces });
  let privacy = options.privacy;
  let recorder = recorderFor(privacy);
  let chain = Promise.resolve();
  let lastKept = -Infinity;

  const raise = (alert: Alert, shown: RgbFrame, person: PersonPose | undefined): Promise<void> => {
    const place = options.place();
    return queueAlert({
      alert,
      shown,
      person,
      zones: place.zonesFor(shown.width, shown.height),
      shard: place.shard,
      cameraName: place.cameraName,
      recorder: () => recorder,
      outbox: options.outbox,
      onQueued: () => {
        health.alertQueued(alert.rule);
        options.onAlertQueued?.(alert);
        log('INFO', 'alert', {
          camera: options.camera,
          alert: alert.id,
          rule: alert.rule,
          track: alert.trackId,
          explanation: alert.explanation,
        });
      },
    });
  };

  return {
    async keep(frame, analysis, sightings) {
      // A scene with nobody in it is kept once a second, not every frame: clips still show the
      // empty scene before someone walks in, and a quiet camera costs next to nothing.
      if (nobodySeen(sightings) && analysis.alerts.length === 0 && frame.t - lastKept < 1) return;
      lastKept = frame.t;
      const started = performance.now();
      const shown = await recorder.add(frame, sightings);
      metrics.stageSeconds.observe({ stage: 'evidence' }, (performance.now() - started) / 1000);
      for (const alert of analysis.alerts) {
        const person = analysis.tracks.find((t) => t.id === alert.trackId)?.pose;
        // Evidence is made in order, off the frame loop: the next frame does not wait for it.
        chain = chain
          .then(() => raise(alert, shown, person))
          .catch((e: unknown) => {
            log('ERROR', 'alert could not be queued', {
              camera: options.camera,
              alert: alert.id,
              error: String(e),
            });
          });
      }
    },
    setPrivacy(next) {
      if (JSON.stringify(next) === JSON.stringify(privacy)) return;
      privacy = next;
      recorder = recorderFor(next);
    },
    settled: () => chain,
  };
}
