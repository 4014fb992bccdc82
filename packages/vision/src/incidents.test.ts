import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncidentSettings, IncidentState } from './incidents.js';
import { INITIAL_INCIDENT_STATE, stepIncident } from './incidents.js';
import type { Firing, RuleName, RuleSettings } from './rules.js';

const RULES: RuleSettings = {
  sensitivity: 'medium',
  concealment: { enabled: true, weight: 1, holdSeconds: 1 },
  exitWithoutPayment: { enabled: true, weight: 1 },
  loitering: { enabled: true, weight: 0.5, seconds: 120 },
  restrictedZone: { enabled: true, weight: 1 },
};

function firing(rule: RuleName, t: number, strength = 1): Firing {
  return { rule, trackId: 1, t, strength, evidence: [], explanation: rule };
}

function raise(
  sequence: readonly Firing[],
  settings: Partial<IncidentSettings> = {},
): { t: number; rules: RuleName[] }[] {
  const s: IncidentSettings = {
    rules: RULES,
    sensitivity: 'medium',
    cooldownSeconds: 60,
    ...settings,
  };
  let state: IncidentState = INITIAL_INCIDENT_STATE;
  const raised = [];
  for (const f of sequence) {
    const step = stepIncident(state, f.t, [f], s);
    state = step.state;
    if (step.raised) raised.push({ t: f.t, rules: step.raised.firings.map((x) => x.rule) });
  }
  return raised;
}

describe('incidents', () => {
  it('raise on one full behaviour at medium, need two at low, and a weak sign at high', () => {
    assert.deepEqual(raise([firing('concealment', 5)]), [{ t: 5, rules: ['concealment'] }]);
    assert.deepEqual(raise([firing('concealment', 5)], { sensitivity: 'low' }), []);
    assert.deepEqual(
      raise([firing('concealment', 5), firing('exit-without-payment', 9)], { sensitivity: 'low' }),
      [{ t: 9, rules: ['concealment', 'exit-without-payment'] }],
    );
    assert.deepEqual(raise([firing('concealment', 5, 0.5)]), []);
    assert.deepEqual(raise([firing('concealment', 5, 0.5)], { sensitivity: 'high' }), [
      { t: 5, rules: ['concealment'] },
    ]);
  });

  it('follow the client weights', () => {
    assert.deepEqual(raise([firing('loitering', 130)]), []);
    assert.deepEqual(raise([firing('loitering', 130), firing('loitering', 200)]), [
      { t: 200, rules: ['loitering', 'loitering'] },
    ]);
  });

  it('group what fires within the cooldown into the open incident', () => {
    const raised = raise([
      firing('concealment', 5),
      firing('exit-without-payment', 12),
      firing('restricted-zone', 40),
      firing('restricted-zone', 70),
    ]);
    assert.deepEqual(raised, [
      { t: 5, rules: ['concealment'] },
      { t: 70, rules: ['restricted-zone'] },
    ]);
  });

  it('forget weak signs older than the score window', () => {
    assert.deepEqual(raise([firing('concealment', 5, 0.5), firing('concealment', 400, 0.5)]), []);
  });
});
