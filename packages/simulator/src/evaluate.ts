/**
 * Scores alerts against a scenario's ground truth: which incidents were caught, which alerts
 * were false, and precision and recall per behaviour.
 */

import type { Alert, RuleName } from '@vigie/vision';
import { iou } from '@vigie/vision';
import type { Behaviour, Scenario, TruthIncident } from './scenarios.js';

/** How long after an incident's end an alert still counts as catching it. */
const LATE_SECONDS = 2;

/** Counts for one behaviour. */
export interface BehaviourCounts {
  /** Scripted incidents of this behaviour. */
  incidents: number;
  /** Those caught by an alert on the right person in time. */
  caught: number;
  /** Alerts whose deciding rule is this behaviour. */
  alerts: number;
  /** Those that match a scripted incident. */
  correct: number;
}

/** The verdict on one scenario run. */
export interface Evaluation {
  readonly byBehaviour: Readonly<Record<Behaviour, BehaviourCounts>>;
  readonly missed: readonly TruthIncident[];
  readonly falseAlerts: readonly Alert[];
}

function emptyCounts(): Record<Behaviour, BehaviourCounts> {
  const zero = (): BehaviourCounts => ({ incidents: 0, caught: 0, alerts: 0, correct: 0 });
  return {
    concealment: zero(),
    'exit-without-payment': zero(),
    loitering: zero(),
    'restricted-zone': zero(),
  };
}

/** The actor an alert is about: the one whose true box best overlaps the alert's box. */
export function actorOf(scenario: Scenario, alert: Alert): number | undefined {
  let frame = scenario.truth.frames[0];
  for (const f of scenario.truth.frames) {
    if (Math.abs(f.t - alert.t) < Math.abs((frame?.t ?? Infinity) - alert.t)) frame = f;
  }
  let best: { id: number; overlap: number } | undefined;
  for (const object of frame?.objects ?? []) {
    const overlap = iou(object.box, alert.box);
    if (overlap >= 0.3 && overlap > (best?.overlap ?? 0)) best = { id: object.id, overlap };
  }
  return best?.id;
}

/** Scores a run's alerts against the scenario's truth. */
export function evaluate(scenario: Scenario, alerts: readonly Alert[]): Evaluation {
  const byBehaviour = emptyCounts();
  const caught = new Set<TruthIncident>();
  const falseAlerts: Alert[] = [];
  for (const incident of scenario.truth.incidents) byBehaviour[incident.behaviour].incidents++;
  for (const alert of alerts) {
    const rule: RuleName = alert.rule;
    byBehaviour[rule].alerts++;
    const actor = actorOf(scenario, alert);
    const matched = scenario.truth.incidents.filter(
      (i) => i.actor === actor && alert.t >= i.from && alert.t <= i.to + LATE_SECONDS,
    );
    if (matched.length === 0) {
      falseAlerts.push(alert);
      continue;
    }
    byBehaviour[rule].correct++;
    for (const i of matched) caught.add(i);
  }
  for (const incident of caught) byBehaviour[incident.behaviour].caught++;
  return {
    byBehaviour,
    missed: scenario.truth.incidents.filter((i) => !caught.has(i)),
    falseAlerts,
  };
}

/** Adds one evaluation's counts into a running total. */
export function addCounts(
  total: Record<Behaviour, BehaviourCounts>,
  evaluation: Evaluation,
): Record<Behaviour, BehaviourCounts> {
  for (const [behaviour, counts] of Object.entries(evaluation.byBehaviour) as [
    Behaviour,
    BehaviourCounts,
  ][]) {
    const t = total[behaviour];
    t.incidents += counts.incidents;
    t.caught += counts.caught;
    t.alerts += counts.alerts;
    t.correct += counts.correct;
  }
  return total;
}

/** Zeroed counts for every behaviour. */
export function zeroCounts(): Record<Behaviour, BehaviourCounts> {
  return emptyCounts();
}
