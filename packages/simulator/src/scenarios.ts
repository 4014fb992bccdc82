/**
 * The scenario library: scripted scenes of the demo store with their ground truth. Each
 * scenario is reproducible from its seed, which varies timings, positions and noise.
 */

import type { Box, MotObject, PersonPose, PoseFrame, Point } from '@vigie/vision';
import type { ActorScript, Occlusion, Step } from './script.js';
import { compileActor } from './script.js';
import type { Random } from './random.js';
import { createRandom } from './random.js';
import { SCENE_HEIGHT, SCENE_WIDTH, SPOTS } from './scene.js';
import { keypointsOf, renderPerson } from './skeleton.js';

/** The behaviours a scenario can script, named as the rules that should catch them. */
export type Behaviour = 'concealment' | 'exit-without-payment' | 'loitering' | 'restricted-zone';

/** A scripted incident: who did what, and when it could be noticed. */
export interface TruthIncident {
  readonly actor: number;
  readonly behaviour: Behaviour;
  /** From the first sign… */
  readonly from: number;
  /** …to the moment the behaviour is complete. */
  readonly to: number;
}

/** Where every actor really was, frame by frame, for MOT metrics. */
export interface TruthFrame {
  readonly t: number;
  readonly objects: readonly MotObject[];
}

/** A rendered scenario. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly frames: readonly PoseFrame[];
  readonly truth: {
    readonly frames: readonly TruthFrame[];
    readonly incidents: readonly TruthIncident[];
    /** Actors who do nothing wrong. */
    readonly innocent: readonly number[];
  };
}

/** How a scenario is rendered. */
export interface ScenarioOptions {
  readonly seed?: number;
  /** Analysis rate, frames per second. Default 5. */
  readonly fps?: number;
  /** Keypoint noise as a fraction of a person's height. Default 0.004. */
  readonly noise?: number;
  /** The chance that a keypoint flickers to a low score. Default 0.02. */
  readonly dropout?: number;
}

interface Cast {
  readonly actors: readonly ActorScript[];
  /** Ground truth, from the compiled actors' labelled moments. */
  readonly incidents: (label: Labels) => TruthIncident[];
  readonly noise?: number;
  readonly dropout?: number;
  /** Spurious weak detections per frame, on average. */
  readonly clutter?: number;
}

interface ScenarioDefinition {
  readonly description: string;
  cast(random: Random): Cast;
}

function jitter(random: Random, p: Point, by = 12): Point {
  return [p[0] + random.between(-by, by), p[1] + random.between(-by / 2, by / 2)];
}

function vary(random: Random, seconds: number): number {
  return seconds * random.between(0.85, 1.2);
}

/** Walks in from the door. */
function enter(random: Random, spread = 12): Step[] {
  return [{ do: 'walk', to: jitter(random, SPOTS.floor, spread) }];
}

/** Walks out through the door. */
function leave(random: Random, label?: string, spread = 12): Step[] {
  return [
    { do: 'walk', to: jitter(random, SPOTS.floor, spread) },
    { do: 'walk', to: jitter(random, SPOTS.door, spread / 2), ...(label ? { label } : {}) },
    // Out through the door, at the bottom of the frame.
    { do: 'walk', to: [SPOTS.door[0], SCENE_HEIGHT - 2] },
  ];
}

function pay(random: Random, spread = 12): Step[] {
  return [
    { do: 'walk', to: jitter(random, SPOTS.tills, spread) },
    { do: 'stand', seconds: vary(random, 4) },
  ];
}

/** Where shoppers take goods from. */
type Shelf = 'cosmetics' | 'perfume';

/** Takes an item from a shelf, looks at it and puts it in the basket. */
function shop(random: Random, shelf: Shelf, spread: number, offset = 0): Step[] {
  const at = shelf === 'cosmetics' ? SPOTS.cosmetics : SPOTS.perfume;
  const base: Point = [at[0] + offset, at[1]];
  const spot = jitter(random, base, spread);
  const item = shelf === 'cosmetics' ? SPOTS.cosmeticsItem : SPOTS.perfumeItem;
  // The item is where it is relative to where the shopper stands.
  const point: Point = jitter(
    random,
    [item[0] + spot[0] - base[0], item[1] + spot[1] - base[1]],
    8,
  );
  return [
    { do: 'walk', to: spot },
    { do: 'stand', seconds: vary(random, 1.5) },
    { do: 'hand', hand: 'right', to: { kind: 'at', point } },
    { do: 'stand', seconds: vary(random, 0.6) },
    { do: 'hand', hand: 'right', to: { kind: 'chest' }, seconds: 0.8 },
    { do: 'stand', seconds: vary(random, 1.5) },
    { do: 'hand', hand: 'right', to: { kind: 'basket' }, seconds: 0.8 },
    { do: 'stand', seconds: vary(random, 0.8) },
  ];
}

/** A normal shopper: in, shop, pay, out. `offset` moves where they stand at the shelf. */
function shopper(
  random: Random,
  id: number,
  start: number,
  shelf: Shelf = 'cosmetics',
  spread = 8,
  offset = 0,
): ActorScript {
  return {
    id,
    start,
    from: jitter(random, SPOTS.door, spread),
    steps: [
      ...enter(random, spread + 4),
      ...shop(random, shelf, spread, offset),
      ...pay(random, spread + 4),
      ...leave(random, undefined, spread + 4),
    ],
  };
}

/** Looks along the shelves without taking anything, and leaves. */
function browser(random: Random, id: number, start: number, spread = 8): ActorScript {
  return {
    id,
    start,
    from: jitter(random, SPOTS.door, spread),
    steps: [
      ...enter(random, spread + 4),
      { do: 'walk', to: jitter(random, SPOTS.aisleLeft, spread + 4) },
      { do: 'walk', to: jitter(random, SPOTS.cosmetics, spread) },
      { do: 'stand', seconds: vary(random, 6) },
      { do: 'walk', to: jitter(random, SPOTS.perfume, spread) },
      { do: 'stand', seconds: vary(random, 5) },
      { do: 'walk', to: jitter(random, SPOTS.aisleRight, spread + 4) },
      ...leave(random, undefined, spread + 4),
    ],
  };
}

/** Walks through the aisles without stopping, and leaves. */
function stroller(random: Random, id: number, start: number): ActorScript {
  return {
    id,
    start,
    from: jitter(random, SPOTS.door, 20),
    steps: [
      ...enter(random, 40),
      { do: 'walk', to: jitter(random, SPOTS.aisleLeft, 40) },
      { do: 'walk', to: jitter(random, SPOTS.aisleRight, 40) },
      { do: 'stand', seconds: vary(random, 2) },
      ...leave(random, undefined, 30),
    ],
  };
}

/** Takes an item from the cosmetics shelf and pockets it, holding the hand there. */
function conceal(random: Random): Step[] {
  return [
    { do: 'walk', to: jitter(random, SPOTS.cosmetics, 8) },
    { do: 'stand', seconds: vary(random, 1.5) },
    {
      do: 'hand',
      hand: 'right',
      to: { kind: 'at', point: jitter(random, SPOTS.cosmeticsItem, 10) },
      label: 'reach',
    },
    { do: 'stand', seconds: vary(random, 0.6) },
    { do: 'hand', hand: 'right', to: { kind: 'pocket' }, seconds: 0.6 },
    { do: 'stand', seconds: random.between(2, 3), label: 'hold' },
    { do: 'hand', hand: 'right', to: { kind: 'relaxed' } },
  ];
}

function thief(random: Random, id: number, start: number, occlusions?: Occlusion[]): ActorScript {
  return {
    id,
    start,
    from: jitter(random, SPOTS.door, 6),
    steps: [...enter(random), ...conceal(random), ...pay(random), ...leave(random)],
    ...(occlusions ? { occlusions } : {}),
  };
}

type Labels = (actor: number, name: string) => { start: number; end: number };

/** One scripted incident of an actor, from the start of one labelled step to the end of another. */
const between =
  (actor: number, behaviour: Behaviour, from: string, to: string) =>
  (label: Labels): TruthIncident[] => [
    { actor, behaviour, from: label(actor, from).start, to: label(actor, to).end },
  ];

const concealmentTruth = (actor: number) => between(actor, 'concealment', 'reach', 'hold');

/** Every scenario, by name. */
export const SCENARIOS: Readonly<Record<string, ScenarioDefinition>> = {
  'normal-shopping': {
    description: 'Two shoppers take items, look at them, put them in a basket, pay and leave.',
    cast: (random) => ({
      actors: [shopper(random, 1, 0), shopper(random, 2, random.between(4, 8))],
      incidents: () => [],
    }),
  },
  browsing: {
    description:
      'A visitor looks along the shelves and the perfume counter, takes nothing, leaves.',
    cast: (random) => ({ actors: [browser(random, 1, 0)], incidents: () => [] }),
  },
  concealment: {
    description:
      'A person takes a lipstick and pockets it, then pays for something else and leaves.',
    cast: (random) => ({ actors: [thief(random, 1, 0)], incidents: concealmentTruth(1) }),
  },
  'exit-without-payment': {
    description: 'A person takes a perfume bottle, keeps it in hand and walks out past the tills.',
    cast: (random) => ({
      actors: [
        {
          id: 1,
          start: 0,
          from: jitter(random, SPOTS.door, 6),
          steps: [
            ...enter(random),
            { do: 'walk', to: jitter(random, SPOTS.perfume, 8) },
            { do: 'stand', seconds: vary(random, 2) },
            {
              do: 'hand',
              hand: 'right',
              to: { kind: 'at', point: jitter(random, SPOTS.perfumeItem, 8) },
              label: 'reach',
            },
            { do: 'stand', seconds: vary(random, 0.6) },
            { do: 'hand', hand: 'right', to: { kind: 'basket' }, seconds: 0.8 },
            ...leave(random, 'exit'),
          ],
        },
      ],
      incidents: between(1, 'exit-without-payment', 'reach', 'exit'),
    }),
  },
  'conceal-and-exit': {
    description: 'A person pockets a lipstick and walks straight out: one incident, one alert.',
    cast: (random) => ({
      actors: [
        {
          id: 1,
          start: 0,
          from: jitter(random, SPOTS.door, 6),
          steps: [...enter(random), ...conceal(random), ...leave(random, 'exit')],
        },
      ],
      incidents: between(1, 'concealment', 'reach', 'exit'),
    }),
  },
  loitering: {
    description: 'A person stands at the perfume counter for over two minutes, then leaves.',
    cast: (random) => ({
      actors: [
        {
          id: 1,
          start: 0,
          from: jitter(random, SPOTS.door, 6),
          steps: [
            ...enter(random),
            { do: 'walk', to: jitter(random, SPOTS.perfume, 8) },
            { do: 'stand', seconds: random.between(130, 140), label: 'stay' },
            ...leave(random),
          ],
        },
      ],
      incidents: (label) => {
        const stay = label(1, 'stay');
        return [{ actor: 1, behaviour: 'loitering', from: stay.start + 110, to: stay.end }];
      },
    }),
  },
  'restricted-zone': {
    description: 'A customer walks into the stock room, comes back out and leaves.',
    cast: (random) => ({
      actors: [
        {
          id: 1,
          start: 0,
          from: jitter(random, SPOTS.door, 6),
          steps: [
            ...enter(random),
            { do: 'walk', to: jitter(random, SPOTS.nearStockroom) },
            { do: 'walk', to: jitter(random, SPOTS.stockroom, 6), label: 'enter' },
            { do: 'stand', seconds: vary(random, 3), label: 'inside' },
            { do: 'walk', to: jitter(random, SPOTS.nearStockroom) },
            ...leave(random),
          ],
        },
      ],
      incidents: between(1, 'restricted-zone', 'enter', 'inside'),
    }),
  },
  crowd: {
    description:
      'Eight people at once: three shop at the perfume counter, four walk through, one pockets an item.',
    cast: (random) => {
      const actors: ActorScript[] = [];
      // Three shoppers at the perfume counter, a few seconds apart and side by side.
      for (const [i, id] of [1, 3, 5].entries()) {
        actors.push(
          shopper(random, id, i * 5 + random.between(0, 2), 'perfume', 8, i % 2 ? 60 : -60),
        );
      }
      // Four people walking through the aisles, crossing the shoppers' paths.
      for (const id of [2, 4, 6, 7]) actors.push(stroller(random, id, random.between(0, 14)));
      actors.push(thief(random, 8, random.between(3, 8)));
      return { actors, incidents: concealmentTruth(8), clutter: 0.5 };
    },
  },
  occlusion: {
    description:
      'A person is half hidden, then fully hidden for a second on the way to the shelf, then pockets an item; a shopper passes by.',
    cast: (random) => {
      const start = 0;
      return {
        actors: [
          thief(random, 1, start, [
            { from: 1.5, to: 3, kind: 'partial' },
            { from: 3.4, to: 4.2, kind: 'full' },
          ]),
          shopper(random, 2, random.between(1, 3), 'perfume'),
        ],
        incidents: concealmentTruth(1),
      };
    },
  },
  'noisy-keypoints': {
    description:
      'A shopper and a person who pockets an item, seen by a noisy, flickering pose model.',
    cast: (random) => ({
      actors: [shopper(random, 1, 0, 'perfume'), thief(random, 2, random.between(2, 6))],
      incidents: concealmentTruth(2),
      noise: 0.008,
      dropout: 0.08,
      clutter: 1,
    }),
  },
};

/** Scenario names, in a stable order. */
export const SCENARIO_NAMES: readonly string[] = Object.keys(SCENARIOS);

function truthBox(points: readonly Point[], height: number): Box {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [
    Math.min(...xs) - 0.05 * height,
    Math.min(...ys) - 0.08 * height,
    Math.max(...xs) + 0.05 * height,
    Math.max(...ys) + 0.02 * height,
  ];
}

function clutterDetection(random: Random): PersonPose {
  const h = random.between(80, 300);
  const x = random.between(0, SCENE_WIDTH - h / 2);
  const y = random.between(0, SCENE_HEIGHT - h);
  return {
    box: [x, y, x + h / 2.5, y + h],
    score: random.between(0.12, 0.4),
    keypoints: Array.from({ length: 17 }, () => [
      x + random.between(0, h / 2.5),
      y + random.between(0, h),
      random.between(0, 0.3),
    ]),
  };
}

/** Renders a scenario by name; throws on an unknown name. */
export function renderScenario(name: string, options: ScenarioOptions = {}): Scenario {
  const definition = SCENARIOS[name];
  if (!definition) {
    throw new Error(`unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(', ')}`);
  }
  const seed = options.seed ?? 1;
  const random = createRandom(seed);
  const cast = definition.cast(random);
  const fps = options.fps ?? 5;
  const noise = options.noise ?? cast.noise ?? 0.004;
  const dropout = options.dropout ?? cast.dropout ?? 0.02;
  const actors = cast.actors.map(compileActor);
  const end = Math.max(...actors.map((a) => a.end)) + 1;
  const frames: PoseFrame[] = [];
  const truthFrames: TruthFrame[] = [];
  const render = createRandom(seed ^ 0x5eed);
  for (let i = 0; i / fps <= end; i++) {
    const t = i / fps;
    const persons: PersonPose[] = [];
    const objects: MotObject[] = [];
    for (const actor of actors) {
      const body = actor.bodyAt(t);
      if (!body) continue;
      const occlusion = actor.occlusions.find((o) => t >= o.from && t < o.to);
      if (occlusion?.kind === 'full') continue;
      objects.push({ id: actor.id, box: truthBox(keypointsOf(body), body.height) });
      const partial = occlusion?.kind === 'partial';
      const person = renderPerson(
        body,
        {
          noise,
          dropout: partial ? 0.5 : dropout,
          score: partial ? render.between(0.2, 0.45) : render.between(0.7, 0.95),
        },
        render,
      );
      persons.push(person);
    }
    const clutter = cast.clutter ?? 0;
    if (clutter > 0 && render.next() < clutter) persons.push(clutterDetection(render));
    // Models list persons in no particular order; neither should the simulator.
    for (let j = persons.length - 1; j > 0; j--) {
      const k = Math.floor(render.next() * (j + 1));
      [persons[j], persons[k]] = [persons[k] as PersonPose, persons[j] as PersonPose];
    }
    frames.push({ t, width: SCENE_WIDTH, height: SCENE_HEIGHT, persons });
    truthFrames.push({ t, objects });
  }
  const label = (actor: number, labelName: string): { start: number; end: number } => {
    const found = actors.find((a) => a.id === actor)?.labels.get(labelName);
    if (!found)
      throw new Error(`scenario ${name}: actor ${String(actor)} has no step "${labelName}"`);
    return found;
  };
  const incidents = cast.incidents(label);
  const guilty = new Set(incidents.map((i) => i.actor));
  return {
    name,
    description: definition.description,
    fps,
    width: SCENE_WIDTH,
    height: SCENE_HEIGHT,
    frames,
    truth: {
      frames: truthFrames,
      incidents,
      innocent: actors.map((a) => a.id).filter((id) => !guilty.has(id)),
    },
  };
}
