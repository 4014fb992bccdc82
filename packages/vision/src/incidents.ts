/**
 * From rule firings to alerts: each firing adds its rule's weight times its strength to the
 * track's suspicion score, and an alert is raised when the score reaches the sensitivity's
 * threshold. After an alert the track's incident stays open for the cooldown, and what fires
 * meanwhile joins it, so that staff get one alert per incident and not one per frame.
 */

import type { Firing, RuleName, RuleSettings } from './rules.js';
import { ruleWeight } from './rules.js';

/** Detection sensitivity, as configured. */
export type Sensitivity = RuleSettings['sensitivity'];

/**
 * The score an incident needs, per sensitivity. With the default weights of 1, `medium` alerts on
 * one full behaviour, `low` needs two, and `high` also alerts on a weaker sign (such as a brief
 * hand-to-body after a reach).
 */
export const SENSITIVITY_THRESHOLDS: Readonly<Record<Sensitivity, number>> = {
  low: 1.5,
  medium: 1,
  high: 0.5,
};

/** Firings older than this no longer add to a track's score. */
export const SCORE_WINDOW_SECONDS = 300;

/** One track's incident bookkeeping. */
export interface IncidentState {
  /** Firings since the last alert, still within the score window. */
  readonly pending: readonly Firing[];
  /** When the track's last alert was raised. */
  readonly lastAlertAt?: number;
}

/** The bookkeeping of a track with no firings yet. */
export const INITIAL_INCIDENT_STATE: IncidentState = { pending: [] };

/** An incident that crossed the threshold. */
export interface RaisedIncident {
  readonly firings: readonly Firing[];
  readonly decisive: Firing;
  readonly score: number;
  readonly threshold: number;
}

/** Settings that decide when an incident is raised. */
export interface IncidentSettings {
  readonly rules: RuleSettings;
  readonly sensitivity: Sensitivity;
  readonly cooldownSeconds: number;
}

/** The score of some firings under the client's weights. */
export function scoreOf(firings: readonly Firing[], rules: RuleSettings): number {
  let score = 0;
  for (const f of firings) score += ruleWeight(f.rule, rules) * f.strength;
  return score;
}

/** Adds one frame's firings for a track, and says whether they raise an alert. */
export function stepIncident(
  state: IncidentState,
  t: number,
  firings: readonly Firing[],
  settings: IncidentSettings,
): { state: IncidentState; raised?: RaisedIncident } {
  if (firings.length === 0) return { state };
  const open = state.lastAlertAt !== undefined && t - state.lastAlertAt < settings.cooldownSeconds;
  if (open) {
    // Part of the incident already alerted on: grouped, not raised again.
    return { state: { pending: [], lastAlertAt: state.lastAlertAt } };
  }
  const pending = [...state.pending.filter((f) => t - f.t <= SCORE_WINDOW_SECONDS), ...firings];
  const score = scoreOf(pending, settings.rules);
  const threshold = SENSITIVITY_THRESHOLDS[settings.sensitivity];
  const base = state.lastAlertAt === undefined ? {} : { lastAlertAt: state.lastAlertAt };
  if (score < threshold) return { state: { ...base, pending } };
  const decisive = firings.at(-1) as Firing;
  return {
    state: { pending: [], lastAlertAt: t },
    raised: { firings: pending, decisive, score, threshold },
  };
}

/** The rules that took part in an incident, in the order they first fired. */
export function rulesOf(firings: readonly Firing[]): RuleName[] {
  return [...new Set(firings.map((f) => f.rule))];
}
