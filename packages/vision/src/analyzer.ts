/**
 * One camera's analysis after the model: pose frames in, tracks, rule firings and alerts out.
 * Tracker, rules and incidents are composed here and nowhere else, so that the live detector and
 * `vigie replay` cannot disagree about what a recording means.
 */

import { createHash } from 'node:crypto';
import type { CameraPlan } from '@vigie/plan';
import type { PixelZone } from './geometry.js';
import { zonesInPixels } from './geometry.js';
import type { IncidentSettings, IncidentState, Sensitivity } from './incidents.js';
import { INITIAL_INCIDENT_STATE, rulesOf, stepIncident } from './incidents.js';
import { MIN_KEYPOINT_SCORE } from './body.js';
import type { Box, Keypoint, PersonPose, PoseFrame } from './pose.js';
import type {
  Firing,
  Observation,
  RuleName,
  RuleSettings,
  TrackRuleState,
  ZoneRef,
} from './rules.js';
import { INITIAL_RULE_STATE, observe, stepRules } from './rules.js';
import type { Track, TrackerOptions } from './tracker.js';
import { createTracker } from './tracker.js';

/** An alert: one incident on one track, with everything needed to explain it. */
export interface Alert {
  /** Stable for the same incident in the same stream, so that delivery can be retried safely. */
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  readonly trackId: number;
  /** The decisive frame's time, in stream seconds. */
  readonly t: number;
  /** The rule whose firing raised the alert. */
  readonly rule: RuleName;
  /** Every rule that contributed to the incident. */
  readonly rules: readonly RuleName[];
  readonly score: number;
  readonly threshold: number;
  readonly sensitivity: Sensitivity;
  /** The person's box in the decisive frame, in pixels of a `width` × `height` frame. */
  readonly box: Box;
  readonly width: number;
  readonly height: number;
  readonly zone?: ZoneRef;
  readonly firings: readonly Firing[];
  /** The times of the frames that show the evidence, in order. */
  readonly evidenceTimes: readonly number[];
  readonly explanation: string;
}

/** The settings one camera is analysed with; they can change live. */
export interface CameraSettings {
  readonly client: string;
  readonly camera: CameraPlan;
  readonly rules: RuleSettings;
  readonly cooldownSeconds: number;
}

/** What one frame produced. */
export interface FrameAnalysis {
  readonly t: number;
  readonly tracks: readonly Track[];
  /** What the rules saw of each track in this frame: zones present, reaches, hands at body. */
  readonly observations: readonly Observation[];
  readonly firings: readonly Firing[];
  readonly alerts: readonly Alert[];
  /** Time spent tracking and in the rules, for per-stage metrics. */
  readonly trackingSeconds: number;
  readonly rulesSeconds: number;
}

/** A camera's analyser; frames must arrive in time order. */
export interface CameraAnalyzer {
  analyze(frame: PoseFrame): FrameAnalysis;
  /** New zones, rules or sensitivity, taking effect at the next frame; tracks are kept. */
  reconfigure(settings: CameraSettings): void;
  /** The camera's zones in the pixels of a `width` × `height` frame, as the rules see them. */
  zonesFor(width: number, height: number): readonly PixelZone[];
  /** Confirmed tracks, seen or briefly lost. */
  readonly activeTracks: number;
  /** Where every track is expected, as of the last frame: where the model must look next. */
  readonly trackBoxes: readonly Box[];
}

/** Options of {@link createCameraAnalyzer}. */
export interface CameraAnalyzerOptions {
  readonly settings: CameraSettings;
  readonly tracker?: Partial<TrackerOptions>;
}

/** How much a carried-over keypoint's score fades each frame it is not seen again. */
const CARRY_FADE = 0.8;

/**
 * Fills the keypoints a model missed in this frame with the track's previous ones, moved with
 * the box and with a fading score. Flicker of one keypoint for a frame or two is the norm for
 * pose models; without this, every flicker would break a rule's hold on its evidence.
 */
function carryKeypoints(previous: PersonPose | undefined, current: PersonPose): PersonPose {
  if (!previous) return current;
  const dx = (current.box[0] + current.box[2] - previous.box[0] - previous.box[2]) / 2;
  const dy = (current.box[1] + current.box[3] - previous.box[1] - previous.box[3]) / 2;
  const keypoints = current.keypoints.map((kp, i): Keypoint => {
    const before = previous.keypoints[i];
    if (!before || kp[2] >= MIN_KEYPOINT_SCORE || before[2] * CARRY_FADE < MIN_KEYPOINT_SCORE) {
      return kp;
    }
    return [before[0] + dx, before[1] + dy, before[2] * CARRY_FADE];
  });
  return { ...current, keypoints };
}

function alertId(client: string, camera: string, track: Track, t: number, rule: RuleName): string {
  return createHash('sha256')
    .update(JSON.stringify([client, camera, track.id, track.since, t, rule]))
    .digest('hex')
    .slice(0, 32);
}

/** Creates the analyser of one camera. */
export function createCameraAnalyzer(options: CameraAnalyzerOptions): CameraAnalyzer {
  let settings = options.settings;
  const tracker = createTracker(options.tracker);
  const rules = new Map<number, TrackRuleState>();
  const incidents = new Map<number, IncidentState>();
  const poses = new Map<number, PersonPose>();
  let zoneCache: { width: number; height: number; zones: PixelZone[] } | undefined;
  let origin: number | undefined;

  function zonesFor(width: number, height: number): PixelZone[] {
    if (zoneCache?.width !== width || zoneCache.height !== height) {
      zoneCache = { width, height, zones: zonesInPixels(settings.camera.zones, width, height) };
    }
    return zoneCache.zones;
  }

  return {
    get activeTracks() {
      return tracker.size;
    },
    get trackBoxes() {
      return tracker.boxes;
    },
    zonesFor,
    reconfigure(next) {
      settings = next;
      zoneCache = undefined;
    },
    analyze(frame) {
      const started = performance.now();
      // Tracking and rules run on milliseconds since the camera's first frame: a live camera
      // stamps frames with the epoch, a recording from zero, and the same frames must cross
      // the same thresholds in both (an epoch's last bits would tip 0.2 s to 0.1999998 s).
      origin ??= frame.t;
      const base = origin;
      const t = Math.round((frame.t - base) * 1000) / 1000;
      const abs = (x: number): number => base + x;
      const update = tracker.update(t, frame.persons);
      const tracked = performance.now();
      for (const id of update.ended) {
        rules.delete(id);
        incidents.delete(id);
        poses.delete(id);
      }
      const zones = zonesFor(frame.width, frame.height);
      const incidentSettings: IncidentSettings = {
        rules: settings.rules,
        sensitivity: settings.camera.sensitivity,
        cooldownSeconds: settings.cooldownSeconds,
      };
      const firings: Firing[] = [];
      const observations: Observation[] = [];
      const alerts: Alert[] = [];
      for (const track of update.tracks) {
        const pose = carryKeypoints(poses.get(track.id), track.pose);
        poses.set(track.id, pose);
        const obs = observe(t, track.id, pose, zones);
        observations.push(obs);
        const stepped = stepRules(rules.get(track.id) ?? INITIAL_RULE_STATE, obs, settings.rules);
        rules.set(track.id, stepped.state);
        firings.push(...stepped.firings);
        const incident = stepIncident(
          incidents.get(track.id) ?? INITIAL_INCIDENT_STATE,
          t,
          stepped.firings,
          incidentSettings,
        );
        incidents.set(track.id, incident.state);
        const raised = incident.raised;
        if (!raised) continue;
        const times = new Set<number>();
        for (const f of raised.firings) for (const e of f.evidence) times.add(abs(e.t));
        const decisive = raised.decisive;
        alerts.push({
          id: alertId(
            settings.client,
            settings.camera.id,
            { ...track, since: abs(track.since) },
            frame.t,
            decisive.rule,
          ),
          client: settings.client,
          camera: settings.camera.id,
          trackId: track.id,
          t: frame.t,
          rule: decisive.rule,
          rules: rulesOf(raised.firings),
          score: Math.round(raised.score * 1000) / 1000,
          threshold: raised.threshold,
          sensitivity: settings.camera.sensitivity,
          box: track.box,
          width: frame.width,
          height: frame.height,
          ...(decisive.zone ? { zone: decisive.zone } : {}),
          firings: raised.firings.map(absolute),
          evidenceTimes: [...times].sort((a, b) => a - b),
          explanation: raised.firings.map((f) => f.explanation).join(' '),
        });
      }
      function absolute(f: Firing): Firing {
        return {
          ...f,
          t: abs(f.t),
          evidence: f.evidence.map((e) => ({ ...e, t: abs(e.t) })),
        };
      }
      return {
        t: frame.t,
        tracks: update.tracks.map((tr) => ({ ...tr, since: abs(tr.since) })),
        observations: observations.map((o) => ({ ...o, t: abs(o.t) })),
        firings: firings.map(absolute),
        alerts,
        trackingSeconds: (tracked - started) / 1000,
        rulesSeconds: (performance.now() - tracked) / 1000,
      };
    },
  };
}
