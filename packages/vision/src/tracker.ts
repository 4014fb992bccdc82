/**
 * Multi-object tracking in the ByteTrack style: a constant-velocity Kalman filter predicts each
 * track's box, confident detections are matched first, weak ones then rescue tracks that would
 * otherwise be lost (people half hidden by a shelf or another shopper), and tracks are born
 * tentative and die after a while unseen. One ID per person, as long as the person stays in view.
 */

import { assign } from './assignment.js';
import { iou } from './geometry.js';
import type { Box, PersonPose } from './pose.js';

/** Tracker settings; the defaults suit 5 fps analysis of people walking. */
export interface TrackerOptions {
  /** Detections at or above this score are matched first. */
  readonly highScore: number;
  /** Detections below this score are ignored altogether. */
  readonly lowScore: number;
  /** A detection that matches no track starts one only at or above this score. */
  readonly newTrackScore: number;
  /** Least IoU for a confident detection to continue a track. */
  readonly matchIou: number;
  /** Least IoU for a weak detection to continue a track. */
  readonly lowMatchIou: number;
  /** Least IoU for a tentative track's second sighting. */
  readonly tentativeIou: number;
  /** How long, in seconds, a lost track may come back before it ends. */
  readonly maxLostSeconds: number;
}

/** The default tracker settings. */
export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  highScore: 0.5,
  lowScore: 0.1,
  newTrackScore: 0.6,
  matchIou: 0.2,
  lowMatchIou: 0.5,
  tentativeIou: 0.3,
  maxLostSeconds: 3,
};

/** A confirmed track as seen in the current frame. */
export interface Track {
  readonly id: number;
  /** The track's box in this frame: the matched detection's. */
  readonly box: Box;
  /** The matched detection, with its keypoints. */
  readonly pose: PersonPose;
  /** When the track was born, in stream seconds. */
  readonly since: number;
}

/** What one frame did to the tracks. */
export interface TrackUpdate {
  /** Confirmed tracks that were matched in this frame. */
  readonly tracks: readonly Track[];
  /** IDs of tracks that ended in this frame; their state can be dropped. */
  readonly ended: readonly number[];
  /** Confirmed tracks that were not seen in this frame but may come back. */
  readonly lost: readonly number[];
}

/** A tracker: feed it each analysed frame's detections, in time order. */
export interface Tracker {
  update(t: number, detections: readonly PersonPose[]): TrackUpdate;
  /** The number of confirmed tracks, seen or briefly lost. */
  readonly size: number;
  /**
   * Where every track (tentative, seen or lost) is expected now, as of the last update: the
   * parts of the picture the next frame's search must cover.
   */
  readonly boxes: readonly Box[];
}

// One coordinate (centre x, centre y, width or height) of a box with its velocity, as a 2-state
// Kalman filter. The coordinates move independently, so four small filters equal ByteTrack's
// one 8-state filter with its diagonal noise, for a fraction of the arithmetic.
interface Axis {
  x: number;
  v: number;
  pxx: number;
  pxv: number;
  pvv: number;
}

const POSITION_NOISE = 1 / 20;
const VELOCITY_NOISE = 1 / 32; // per second; ByteTrack's 1/160 per frame at 5 fps

function axis(x: number, scale: number): Axis {
  return {
    x,
    v: 0,
    pxx: (2 * POSITION_NOISE * scale) ** 2,
    pxv: 0,
    pvv: (10 * VELOCITY_NOISE * scale) ** 2,
  };
}

function predictAxis(a: Axis, dt: number, scale: number, frozen: boolean): void {
  if (frozen) a.v = 0;
  a.x += dt * a.v;
  const pxx = a.pxx + 2 * dt * a.pxv + dt * dt * a.pvv;
  const pxv = a.pxv + dt * a.pvv;
  a.pxx = pxx + (POSITION_NOISE * scale) ** 2 * dt * 5;
  a.pxv = pxv;
  a.pvv += (VELOCITY_NOISE * scale) ** 2 * dt * 5;
}

function updateAxis(a: Axis, z: number, scale: number): void {
  const s = a.pxx + (POSITION_NOISE * scale) ** 2;
  const kx = a.pxx / s;
  const kv = a.pxv / s;
  const r = z - a.x;
  a.x += kx * r;
  a.v += kv * r;
  const pxx = a.pxx - kx * a.pxx;
  const pxv = a.pxv - kx * a.pxv;
  a.pvv -= kv * a.pxv;
  a.pxx = pxx;
  a.pxv = pxv;
}

interface TrackState {
  id: number;
  status: 'tentative' | 'tracked' | 'lost';
  cx: Axis;
  cy: Axis;
  w: Axis;
  h: Axis;
  since: number;
  lastSeen: number;
  lastPredicted: number;
  /** The last matched pose, and the box centre it was seen at. */
  pose: PersonPose;
  poseCentre: readonly [number, number];
}

// The keypoints that move least from frame to frame: head, shoulders and hips.
const STABLE_KEYPOINTS = [0, 1, 2, 5, 6, 11, 12];

/**
 * How alike two poses are, after moving the old one by the predicted displacement: the mean of
 * a Gaussian of each stable keypoint's distance, relative to the person's height (as OKS does).
 * Boxes of people standing side by side overlap a lot; their heads and shoulders do not.
 */
function poseSimilarity(s: TrackState, box: Box, det: PersonPose): number {
  const dx = s.cx.x - s.poseCentre[0];
  const dy = s.cy.x - s.poseCentre[1];
  const scale = Math.max(1, box[3] - box[1]) * 0.08;
  let sum = 0;
  let n = 0;
  for (const k of STABLE_KEYPOINTS) {
    const a = s.pose.keypoints[k];
    const b = det.keypoints[k];
    if (!a || !b || a[2] < 0.3 || b[2] < 0.3) continue;
    const d2 = (a[0] + dx - b[0]) ** 2 + (a[1] + dy - b[1]) ** 2;
    sum += Math.exp(-d2 / (2 * scale * scale));
    n++;
  }
  return n === 0 ? 0.5 : sum / n;
}

function toBox(s: TrackState): Box {
  const w = Math.max(1, s.w.x);
  const h = Math.max(1, s.h.x);
  return [s.cx.x - w / 2, s.cy.x - h / 2, s.cx.x + w / 2, s.cy.x + h / 2];
}

function measure(box: Box): [number, number, number, number] {
  return [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2, box[2] - box[0], box[3] - box[1]];
}

/** Creates a tracker; IDs start at 1 and are never reused within it. */
export function createTracker(options: Partial<TrackerOptions> = {}): Tracker {
  const o = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  let nextId = 1;
  let states: TrackState[] = [];

  function predict(s: TrackState, t: number): void {
    const dt = Math.max(0, t - s.lastPredicted);
    s.lastPredicted = t;
    if (dt === 0) return;
    const hs = Math.max(1, s.h.x);
    const ws = Math.max(1, s.w.x);
    // A lost track keeps drifting on its velocity but its size freezes, as ByteTrack does.
    predictAxis(s.cx, dt, ws, false);
    predictAxis(s.cy, dt, hs, false);
    predictAxis(s.w, dt, ws, s.status === 'lost');
    predictAxis(s.h, dt, hs, s.status === 'lost');
  }

  function correct(s: TrackState, pose: PersonPose, t: number): void {
    const box = pose.box;
    const [cx, cy, w, h] = measure(box);
    s.pose = pose;
    s.poseCentre = [cx, cy];
    updateAxis(s.cx, cx, Math.max(1, w));
    updateAxis(s.cy, cy, Math.max(1, h));
    updateAxis(s.w, w, Math.max(1, w));
    updateAxis(s.h, h, Math.max(1, h));
    s.lastSeen = t;
  }

  function match(
    pool: readonly TrackState[],
    dets: readonly PersonPose[],
    minIou: number,
  ): ReturnType<typeof assign> {
    // Overlap gates a match; among the pairs that overlap enough, pose similarity breaks
    // the ties that boxes alone cannot (people standing close together).
    const boxes = pool.map(toBox);
    const refused = 2;
    return assign(
      boxes.map((b, r) =>
        dets.map((d) => {
          const overlap = iou(b, d.box);
          if (overlap < minIou) return refused;
          return 1 - (overlap + poseSimilarity(pool[r] as TrackState, b, d)) / 2;
        }),
      ),
      1,
      dets.length,
    );
  }

  return {
    get size() {
      return states.filter((s) => s.status !== 'tentative').length;
    },
    get boxes() {
      return states.map(toBox);
    },
    update(t, detections) {
      for (const s of states) predict(s, t);
      const high = detections.filter((d) => d.score >= o.highScore);
      const low = detections.filter((d) => d.score >= o.lowScore && d.score < o.highScore);
      const seen: { state: TrackState; pose: PersonPose }[] = [];
      const confirmed = states.filter((s) => s.status !== 'tentative');
      const tentative = states.filter((s) => s.status === 'tentative');

      // First association: confident detections against every confirmed track, lost ones included.
      const first = match(confirmed, high, o.matchIou);
      for (const [r, c] of first.pairs) {
        seen.push({ state: confirmed[r] as TrackState, pose: high[c] as PersonPose });
      }
      // Second association: weak detections keep tracks that were seen last frame.
      const remaining = first.unmatchedRows
        .map((r) => confirmed[r] as TrackState)
        .filter((s) => s.status === 'tracked');
      const second = match(remaining, low, o.lowMatchIou);
      for (const [r, c] of second.pairs) {
        seen.push({ state: remaining[r] as TrackState, pose: low[c] as PersonPose });
      }
      const secondMatched = new Set(second.pairs.map(([r]) => r));
      const lostNow = remaining.filter((_, r) => !secondMatched.has(r));
      for (const s of lostNow) s.status = 'lost';

      // Tentative tracks are confirmed by a second sighting, or dropped.
      const leftHigh = first.unmatchedCols.map((c) => high[c] as PersonPose);
      const third = match(tentative, leftHigh, o.tentativeIou);
      for (const [r, c] of third.pairs) {
        seen.push({ state: tentative[r] as TrackState, pose: leftHigh[c] as PersonPose });
      }
      const tentativeMatched = new Set(third.pairs.map(([r]) => r));
      const dropped = new Set(tentative.filter((_, r) => !tentativeMatched.has(r)));

      for (const { state, pose } of seen) {
        correct(state, pose, t);
        state.status = 'tracked';
      }
      const ended: number[] = [];
      const kept: TrackState[] = [];
      for (const s of states) {
        if (dropped.has(s)) continue;
        if (s.status === 'lost' && t - s.lastSeen > o.maxLostSeconds) {
          ended.push(s.id);
          continue;
        }
        kept.push(s);
      }
      for (const c of third.unmatchedCols) {
        const det = leftHigh[c] as PersonPose;
        if (det.score < o.newTrackScore) continue;
        const [cx, cy, w, h] = measure(det.box);
        kept.push({
          id: nextId++,
          status: 'tentative',
          cx: axis(cx, w),
          cy: axis(cy, h),
          w: axis(w, w),
          h: axis(h, h),
          since: t,
          lastSeen: t,
          lastPredicted: t,
          pose: det,
          poseCentre: [cx, cy],
        });
      }
      states = kept;
      const tracks = seen
        .map(({ state, pose }) => ({ id: state.id, box: pose.box, pose, since: state.since }))
        .sort((a, b) => a.id - b.id);
      const lost = states.filter((s) => s.status === 'lost').map((s) => s.id);
      return { tracks, ended, lost };
    },
  };
}
