import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Hand } from './body.js';
import type { PixelZone } from './geometry.js';
import type { Observation, RuleSettings } from './rules.js';
import { INITIAL_RULE_STATE, stepRules } from './rules.js';

const square = (x: number, y: number): PixelZone['polygon'] => [
  [x, y],
  [x + 100, y],
  [x + 100, y + 100],
  [x, y + 100],
];
const shelf: PixelZone = {
  id: 'lipsticks',
  name: 'Lipsticks',
  type: 'shelf',
  polygon: square(0, 0),
};
const tills: PixelZone = { id: 'tills', name: 'Tills', type: 'checkout', polygon: square(200, 0) };
const door: PixelZone = { id: 'door', name: 'Door', type: 'exit', polygon: square(400, 0) };
const stock: PixelZone = {
  id: 'stock',
  name: 'Stock',
  type: 'restricted',
  polygon: square(600, 0),
};

const SETTINGS: RuleSettings = {
  sensitivity: 'medium',
  concealment: { enabled: true, weight: 1, holdSeconds: 1 },
  exitWithoutPayment: { enabled: true, weight: 1 },
  loitering: { enabled: true, weight: 1, seconds: 10 },
  restrictedZone: { enabled: true, weight: 1 },
};

interface Moment {
  readonly present?: readonly PixelZone[];
  readonly reach?: Hand;
  /** `unseen`: the right hand's keypoints are not visible, so neither reach nor body is known. */
  readonly atBody?: Hand | 'unseen';
}

/** Runs the rules over a timeline of moments, 5 per second, and returns every firing. */
function run(timeline: readonly (readonly [seconds: number, Moment])[], settings = SETTINGS) {
  let state = INITIAL_RULE_STATE;
  const firings = [];
  let t = 0;
  for (const [seconds, moment] of timeline) {
    for (const end = t + seconds; t < end - 1e-9; t = Math.round((t + 0.2) * 10) / 10) {
      const obs: Observation = {
        t,
        trackId: 7,
        pose: { box: [0, 0, 1, 1], score: 1, keypoints: [] },
        present: moment.present ?? [],
        reach: { left: undefined, right: moment.reach === 'right' ? shelf : undefined },
        handSeen: { left: true, right: moment.atBody !== 'unseen' },
        atBody: {
          left: false,
          right: moment.atBody === 'unseen' ? undefined : moment.atBody === 'right',
        },
      };
      const stepped = stepRules(state, obs, settings);
      state = stepped.state;
      firings.push(...stepped.firings);
    }
  }
  return firings;
}

describe('concealment', () => {
  it('fires once when a hand goes from the shelf to the body and stays', () => {
    const firings = run([
      [1, { reach: 'right' }],
      [0.6, {}],
      [3, { atBody: 'right' }],
    ]);
    assert.equal(firings.length, 1);
    const f = firings[0];
    assert.ok(f);
    assert.equal(f.rule, 'concealment');
    assert.equal(f.strength, 1);
    assert.equal(f.zone?.id, 'lipsticks');
    assert.deepEqual(
      f.evidence.map((e) => e.what),
      [
        'right hand reached into Lipsticks',
        'right hand came back from Lipsticks',
        'right hand went to the body',
        'right hand stayed at the body for 1.0 s',
      ],
    );
    assert.match(f.explanation, /reached into Lipsticks, went to the body 1\.6 s later and stayed/);
  });

  it('does not fire for a wrist passing through a shelf zone in one frame', () => {
    const firings = run([
      [0.2, { reach: 'right' }],
      [0.4, {}],
      [3, { atBody: 'right' }],
    ]);
    assert.equal(firings.length, 0);
  });

  it('waits for the hand to come back from the shelf, riding out frames it is not seen', () => {
    // Reaching, then unseen, then reaching again: one reach, which takes goods when the hand
    // is seen back from the shelf, and the window for the body starts then.
    const firings = run([
      [0.4, { reach: 'right' }],
      [0.4, { atBody: 'unseen' }],
      [0.4, { reach: 'right' }],
      [3.6, {}],
      [1.2, { atBody: 'right' }],
    ]);
    assert.deepEqual(
      firings.map((f) => [f.rule, f.strength, f.evidence[1]?.t]),
      [['concealment', 1, 1.2]],
    );
  });

  it('does not fire for a hand at the body with no reach before it, or too long after', () => {
    assert.equal(run([[3, { atBody: 'right' }]]).length, 0);
    assert.equal(
      run([
        [0.4, { reach: 'right' }],
        [6, {}],
        [3, { atBody: 'right' }],
      ]).length,
      0,
    );
  });

  it('gives a weaker sign for a hold of half the hold time, and nothing for a touch', () => {
    const half = run([
      [0.4, { reach: 'right' }],
      [0.8, { atBody: 'right' }],
      [2, {}],
    ]);
    assert.deepEqual(
      half.map((f) => f.strength),
      [0.5],
    );
    const touch = run([
      [0.4, { reach: 'right' }],
      [0.2, { atBody: 'right' }],
      [2, {}],
    ]);
    assert.equal(touch.length, 0);
  });

  it('rides out a second of unseen keypoints, but not a hand seen away from the body', () => {
    const unseen = run([
      [0.4, { reach: 'right' }],
      [0.4, { atBody: 'right' }],
      [0.8, { atBody: 'unseen' }],
      [0.8, { atBody: 'right' }],
    ]);
    assert.deepEqual(
      unseen.map((f) => f.strength),
      [1],
    );
    const away = run([
      [0.4, { reach: 'right' }],
      [0.4, { atBody: 'right' }],
      [0.8, {}],
      [0.6, { atBody: 'right' }],
    ]);
    assert.equal(away.filter((f) => f.strength === 1).length, 0);
  });

  it('is silent when switched off', () => {
    const off = { ...SETTINGS, concealment: { ...SETTINGS.concealment, enabled: false } };
    assert.equal(
      run(
        [
          [0.4, { reach: 'right' }],
          [3, { atBody: 'right' }],
        ],
        off,
      ).length,
      0,
    );
  });
});

describe('exit without payment', () => {
  it('fires when someone who took goods walks into an exit', () => {
    const firings = run([
      [0.4, { reach: 'right' }],
      [2, {}],
      [1, { present: [door] }],
    ]);
    assert.deepEqual(
      firings.map((f) => [f.rule, f.zone?.id]),
      [['exit-without-payment', 'door']],
    );
  });

  it('does not fire for a wrist that passed through a shelf zone in one frame', () => {
    const firings = run([
      [0.2, { reach: 'right' }],
      [2, {}],
      [1, { present: [door] }],
    ]);
    assert.equal(firings.length, 0);
  });

  it('does not count goods as taken while the hand is still in the shelf', () => {
    const firings = run([
      [0.4, {}],
      [3, { reach: 'right' }],
      [1, { reach: 'right', present: [door] }],
    ]);
    assert.equal(firings.length, 0);
  });

  it('does not fire after the checkout, or without goods', () => {
    assert.equal(
      run([
        [0.4, { reach: 'right' }],
        [2, { present: [tills] }],
        [1, { present: [door] }],
      ]).length,
      0,
    );
    assert.equal(run([[1, { present: [door] }]]).length, 0);
  });
});

describe('loitering and restricted zones', () => {
  it('fires once after the threshold in a goods zone, and survives a short step out', () => {
    const firings = run([
      [6, { present: [shelf] }],
      [1, {}],
      [6, { present: [shelf] }],
    ]);
    assert.deepEqual(
      firings.map((f) => [f.rule, f.t]),
      [['loitering', 10]],
    );
  });

  it('fires on entering a restricted zone, and again on coming back', () => {
    const firings = run([
      [2, { present: [stock] }],
      [3, {}],
      [1, { present: [stock] }],
    ]);
    assert.deepEqual(
      firings.map((f) => [f.rule, f.t]),
      [
        ['restricted-zone', 0],
        ['restricted-zone', 5],
      ],
    );
  });
});
