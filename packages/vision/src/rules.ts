/**
 * Behaviour rules: pure functions of one track's observations over time, its zones and the clock.
 * Each rule keeps its own small state per track, and says what it saw when it fires, so that an
 * alert can explain itself: which rule, on which track, when, and from which moments.
 */

import type { DetectorConfig } from '@vigie/plan';
import type { Hand } from './body.js';
import { handAtBody, handSeen, HANDS, reachedZone, zonesPresent } from './body.js';
import type { PixelZone } from './geometry.js';
import type { PersonPose } from './pose.js';

/** The behaviour rules, by the names alerts carry. */
export type RuleName = 'concealment' | 'exit-without-payment' | 'loitering' | 'restricted-zone';

/** Every rule, in the order they are evaluated. */
export const RULES: readonly RuleName[] = [
  'concealment',
  'exit-without-payment',
  'loitering',
  'restricted-zone',
];

/** A zone as an alert names it. */
export interface ZoneRef {
  readonly id: string;
  readonly name: string;
  readonly type: PixelZone['type'];
}

/** A moment that supports a firing: when, and what was seen then. */
export interface EvidenceMoment {
  readonly t: number;
  readonly what: string;
}

/** A rule firing on a track. */
export interface Firing {
  readonly rule: RuleName;
  readonly trackId: number;
  /** The decisive moment, in stream seconds. */
  readonly t: number;
  /** How strong the sign is: 1 for the full behaviour, less for a weaker form of it. */
  readonly strength: number;
  readonly zone?: ZoneRef;
  readonly evidence: readonly EvidenceMoment[];
  /** One sentence for people, with durations only, so that it reads the same live and in replay. */
  readonly explanation: string;
}

/** What the rules see of one track in one frame. */
export interface Observation {
  readonly t: number;
  readonly trackId: number;
  readonly pose: PersonPose;
  /** Zones the person is in. */
  readonly present: readonly PixelZone[];
  /** The goods zone each hand reaches into, if any (see {@link reachedZone}). */
  readonly reach: Readonly<Record<Hand, PixelZone | undefined>>;
  /**
   * Whether each hand's reach could be judged: its wrist, its shoulder and the torso are visible.
   * A hand seen and not reaching has come back from a zone; a hand not seen may still be in it.
   */
  readonly handSeen: Readonly<Record<Hand, boolean>>;
  /** Whether each hand is at the body; `undefined` when its keypoints are not visible. */
  readonly atBody: Readonly<Record<Hand, boolean | undefined>>;
}

/** Derives what the rules need from a tracked pose and the camera's zones. */
export function observe(
  t: number,
  trackId: number,
  pose: PersonPose,
  zones: readonly PixelZone[],
): Observation {
  return {
    t,
    trackId,
    pose,
    present: zonesPresent(pose, zones),
    reach: { left: reachedZone(pose, 'left', zones), right: reachedZone(pose, 'right', zones) },
    handSeen: { left: handSeen(pose, 'left'), right: handSeen(pose, 'right') },
    atBody: { left: handAtBody(pose, 'left'), right: handAtBody(pose, 'right') },
  };
}

/** The rules' settings, as the detector config carries them. */
export type RuleSettings = DetectorConfig['detection'];

function ref(zone: PixelZone): ZoneRef {
  return { id: zone.id, name: zone.name, type: zone.type };
}

function seconds(t: number): string {
  return `${t.toFixed(1)} s`;
}

/**
 * How long after taking goods (the hand coming back from the zone) the hand may reach the body
 * and still count as concealing.
 */
export const REACH_WINDOW_SECONDS = 4;
/** How many observations in a row a reach must be seen in before the hand can take goods. */
export const TAKE_MIN_OBSERVATIONS = 2;
/**
 * How long a reach must be seen for, from its first observation to its last, before the hand can
 * take goods: two frames in a row at 5 fps, more at higher rates. A wrist crossing a goods zone
 * for one frame (a passer-by's swinging arm, a keypoint jumping) takes nothing.
 */
export const TAKE_MIN_SECONDS = 0.2;
/** How long a hand may be seen away from the body within a hold (keypoints jitter). */
export const HOLD_GAP_SECONDS = 0.5;
/** How long a hand may go unseen within a hold or a reach (keypoints flicker, people turn). */
export const UNSEEN_GAP_SECONDS = 1;
/** A person out of a zone for less than this has not left it. */
export const PRESENCE_GAP_SECONDS = 2;

/** Goods taken: a held reach into a zone, ended by the hand coming back from it. */
export interface Take {
  /** When the reach was first seen. */
  readonly t: number;
  /** When the hand was first seen back from the zone. */
  readonly back: number;
  readonly zone: ZoneRef;
}

/** A reach in progress: one hand, one zone, observation after observation. */
interface Reaching {
  readonly zone: ZoneRef;
  readonly since: number;
  readonly last: number;
  readonly count: number;
}

/** Each hand's reach in progress, the memory behind {@link stepTakes}. */
export interface TakeState {
  readonly reaching: Readonly<Record<Hand, Reaching | undefined>>;
}

/** No reach in progress. */
export const INITIAL_TAKE_STATE: TakeState = { reaching: { left: undefined, right: undefined } };

/**
 * Taking goods: a hand reaches into the same goods zone in at least
 * {@link TAKE_MIN_OBSERVATIONS} observations in a row spanning at least {@link TAKE_MIN_SECONDS},
 * then is seen not reaching (the arm came back toward the body). Frames in which the hand is not
 * seen neither end nor extend the reach, for up to {@link UNSEEN_GAP_SECONDS}. Returns, for each
 * hand, the goods it took in this observation, if any.
 */
export function stepTakes(
  state: TakeState,
  obs: Observation,
): { state: TakeState; taken: Record<Hand, Take | undefined> } {
  const reaching = { ...state.reaching };
  const taken: Record<Hand, Take | undefined> = { left: undefined, right: undefined };
  for (const hand of HANDS) {
    const before = reaching[hand];
    const current = before && obs.t - before.last <= UNSEEN_GAP_SECONDS ? before : undefined;
    const zone = obs.reach[hand];
    if (zone) {
      reaching[hand] =
        current?.zone.id === zone.id
          ? { ...current, last: obs.t, count: current.count + 1 }
          : { zone: ref(zone), since: obs.t, last: obs.t, count: 1 };
    } else if (!obs.handSeen[hand]) {
      reaching[hand] = current;
    } else {
      if (
        current &&
        current.count >= TAKE_MIN_OBSERVATIONS &&
        current.last - current.since >= TAKE_MIN_SECONDS - 1e-9
      ) {
        taken[hand] = { t: current.since, back: obs.t, zone: current.zone };
      }
      reaching[hand] = undefined;
    }
  }
  return { state: { reaching }, taken };
}
interface Hold {
  readonly start: number;
  readonly last: number;
}

/** The concealment rule's memory of one track. */
export interface ConcealmentState {
  readonly takes: TakeState;
  /** The goods each hand last took, while the hand may still conceal them. */
  readonly reach: Readonly<Record<Hand, Take | undefined>>;
  readonly hold: Readonly<Record<Hand, Hold | undefined>>;
}

/**
 * Concealment: a hand takes goods from a shelf or high-value zone ({@link stepTakes}), then goes
 * to the body within {@link REACH_WINDOW_SECONDS} of coming back from the zone and stays there
 * for `holdSeconds`. A hold of at least half that is a weaker sign (strength 0.5). Each taking
 * fires at most once.
 */
export function stepConcealment(
  state: ConcealmentState,
  obs: Observation,
  holdSeconds: number,
): { state: ConcealmentState; firings: Firing[] } {
  const takes = stepTakes(state.takes, obs);
  const reach = { ...state.reach };
  const hold = { ...state.hold };
  const firings: Firing[] = [];
  const fire = (hand: Hand, r: Take, h: Hold, end: number, strength: number): void => {
    const held = end - h.start;
    firings.push({
      rule: 'concealment',
      trackId: obs.trackId,
      t: end,
      strength,
      zone: r.zone,
      evidence: [
        { t: r.t, what: `${hand} hand reached into ${r.zone.name}` },
        { t: r.back, what: `${hand} hand came back from ${r.zone.name}` },
        { t: h.start, what: `${hand} hand went to the body` },
        { t: end, what: `${hand} hand stayed at the body for ${seconds(held)}` },
      ],
      explanation:
        `The ${hand} hand reached into ${r.zone.name}, went to the body ` +
        `${seconds(h.start - r.t)} later and stayed there for ${seconds(held)}` +
        (strength < 1 ? ` (less than the ${seconds(holdSeconds)} hold time: a weaker sign).` : '.'),
    });
    reach[hand] = undefined;
    hold[hand] = undefined;
  };
  for (const hand of HANDS) {
    const took = takes.taken[hand];
    if (took) {
      reach[hand] = took;
      hold[hand] = undefined;
    }
    if (obs.reach[hand]) {
      hold[hand] = undefined;
      continue;
    }
    const r = reach[hand];
    if (!r) continue;
    let h = hold[hand];
    const at = obs.atBody[hand];
    const gap = at === undefined ? UNSEEN_GAP_SECONDS : HOLD_GAP_SECONDS;
    if (h && at !== true && obs.t - h.last > gap) {
      // The hold ended before the hold time: a weaker sign if it lasted half of it.
      if (h.last - h.start >= holdSeconds / 2) {
        fire(hand, r, h, h.last, 0.5);
        continue;
      }
      hold[hand] = undefined;
      h = undefined;
    }
    if (at === true && (h || obs.t - r.back <= REACH_WINDOW_SECONDS)) {
      const next = { start: h?.start ?? obs.t, last: obs.t };
      hold[hand] = next;
      if (obs.t - next.start >= holdSeconds) fire(hand, r, next, obs.t, 1);
    } else if (!h && obs.t - r.back > REACH_WINDOW_SECONDS) {
      reach[hand] = undefined;
    }
  }
  return { state: { takes: takes.state, reach, hold }, firings };
}

/** The exit-without-payment rule's memory of one track. */
export interface ExitState {
  readonly takes: TakeState;
  /** The last goods taken and not yet paid for. */
  readonly tookGoods?: Take;
  readonly inExit: boolean;
}

/**
 * Exit without payment: a person who took goods from a shelf or high-value zone
 * ({@link stepTakes}) enters an exit zone without having been in a checkout zone since.
 */
export function stepExit(
  state: ExitState,
  obs: Observation,
): { state: ExitState; firings: Firing[] } {
  const takes = stepTakes(state.takes, obs);
  let tookGoods = state.tookGoods;
  for (const hand of HANDS) tookGoods = takes.taken[hand] ?? tookGoods;
  if (obs.present.some((z) => z.type === 'checkout')) tookGoods = undefined;
  const exit = obs.present.find((z) => z.type === 'exit');
  const firings: Firing[] = [];
  if (exit && !state.inExit && tookGoods) {
    firings.push({
      rule: 'exit-without-payment',
      trackId: obs.trackId,
      t: obs.t,
      strength: 1,
      zone: ref(exit),
      evidence: [
        { t: tookGoods.t, what: `took goods from ${tookGoods.zone.name}` },
        { t: obs.t, what: `entered ${exit.name} without passing a checkout` },
      ],
      explanation:
        `Took goods from ${tookGoods.zone.name}, then entered ${exit.name} ` +
        `${seconds(obs.t - tookGoods.back)} later without passing a checkout.`,
    });
    tookGoods = undefined;
  }
  const inExit = exit !== undefined;
  return {
    state: tookGoods ? { takes: takes.state, tookGoods, inExit } : { takes: takes.state, inExit },
    firings,
  };
}

interface Dwell {
  readonly since: number;
  readonly last: number;
  readonly fired: boolean;
}

/** The loitering rule's memory of one track: how long it has stayed in each goods zone. */
export interface LoiteringState {
  readonly dwell: Readonly<Record<string, Dwell>>;
}

/** Loitering: a person stays in one shelf or high-value zone for `thresholdSeconds` or more. */
export function stepLoitering(
  state: LoiteringState,
  obs: Observation,
  thresholdSeconds: number,
): { state: LoiteringState; firings: Firing[] } {
  const dwell: Record<string, Dwell> = {};
  const firings: Firing[] = [];
  for (const [id, d] of Object.entries(state.dwell)) {
    if (obs.t - d.last <= PRESENCE_GAP_SECONDS) dwell[id] = d;
  }
  for (const zone of obs.present) {
    if (zone.type !== 'shelf' && zone.type !== 'high-value') continue;
    const before = dwell[zone.id];
    const since = before?.since ?? obs.t;
    let fired = before?.fired ?? false;
    if (!fired && obs.t - since >= thresholdSeconds) {
      fired = true;
      firings.push({
        rule: 'loitering',
        trackId: obs.trackId,
        t: obs.t,
        strength: 1,
        zone: ref(zone),
        evidence: [
          { t: since, what: `entered ${zone.name}` },
          { t: obs.t, what: `still in ${zone.name} after ${seconds(obs.t - since)}` },
        ],
        explanation:
          `Stayed in ${zone.name} for ${seconds(obs.t - since)}, longer than the ` +
          `${seconds(thresholdSeconds)} threshold.`,
      });
    }
    dwell[zone.id] = { since, last: obs.t, fired };
  }
  return { state: { dwell }, firings };
}

/** The restricted-zone rule's memory of one track: when it was last seen in each zone. */
export interface RestrictedState {
  readonly lastIn: Readonly<Record<string, number>>;
}

/** Restricted zone: a person enters a restricted zone. Re-entering after leaving fires again. */
export function stepRestricted(
  state: RestrictedState,
  obs: Observation,
): { state: RestrictedState; firings: Firing[] } {
  const lastIn: Record<string, number> = {};
  for (const [id, last] of Object.entries(state.lastIn)) {
    if (obs.t - last <= PRESENCE_GAP_SECONDS) lastIn[id] = last;
  }
  const firings: Firing[] = [];
  for (const zone of obs.present) {
    if (zone.type !== 'restricted') continue;
    if (lastIn[zone.id] === undefined) {
      firings.push({
        rule: 'restricted-zone',
        trackId: obs.trackId,
        t: obs.t,
        strength: 1,
        zone: ref(zone),
        evidence: [{ t: obs.t, what: `entered ${zone.name}` }],
        explanation: `Entered ${zone.name}, a restricted zone.`,
      });
    }
    lastIn[zone.id] = obs.t;
  }
  return { state: { lastIn }, firings };
}

/** All rules' memory of one track. */
export interface TrackRuleState {
  readonly concealment: ConcealmentState;
  readonly exit: ExitState;
  readonly loitering: LoiteringState;
  readonly restricted: RestrictedState;
}

/** The memory of a track no rule has seen yet. */
export const INITIAL_RULE_STATE: TrackRuleState = {
  concealment: {
    takes: INITIAL_TAKE_STATE,
    reach: { left: undefined, right: undefined },
    hold: { left: undefined, right: undefined },
  },
  exit: { takes: INITIAL_TAKE_STATE, inExit: false },
  loitering: { dwell: {} },
  restricted: { lastIn: {} },
};

/**
 * Runs every enabled rule on one observation. A rule that is switched off keeps its memory
 * empty, so that switching it on later starts clean.
 */
export function stepRules(
  state: TrackRuleState,
  obs: Observation,
  settings: RuleSettings,
): { state: TrackRuleState; firings: Firing[] } {
  const firings: Firing[] = [];
  let { concealment, exit, loitering, restricted } = INITIAL_RULE_STATE;
  if (settings.concealment.enabled) {
    const r = stepConcealment(state.concealment, obs, settings.concealment.holdSeconds);
    concealment = r.state;
    firings.push(...r.firings);
  }
  if (settings.exitWithoutPayment.enabled) {
    const r = stepExit(state.exit, obs);
    exit = r.state;
    firings.push(...r.firings);
  }
  if (settings.loitering.enabled) {
    const r = stepLoitering(state.loitering, obs, settings.loitering.seconds);
    loitering = r.state;
    firings.push(...r.firings);
  }
  if (settings.restrictedZone.enabled) {
    const r = stepRestricted(state.restricted, obs);
    restricted = r.state;
    firings.push(...r.firings);
  }
  return { state: { concealment, exit, loitering, restricted }, firings };
}

/** A rule's weight in the client's settings. */
export function ruleWeight(rule: RuleName, settings: RuleSettings): number {
  switch (rule) {
    case 'concealment':
      return settings.concealment.weight;
    case 'exit-without-payment':
      return settings.exitWithoutPayment.weight;
    case 'loitering':
      return settings.loitering.weight;
    case 'restricted-zone':
      return settings.restrictedZone.weight;
  }
}
