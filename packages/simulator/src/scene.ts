/**
 * The demo store as one camera sees it: a 1280×720 view with a cosmetics shelf on the left, a
 * perfume counter at the back, tills on the right, the door at the bottom and the stock-room door
 * at the far right. `examples/demo-store.xml` declares the same zones.
 */

import type { Point } from '@vigie/vision';

/** Frame width of the demo camera, in pixels. */
export const SCENE_WIDTH = 1280;
/** Frame height of the demo camera, in pixels. */
export const SCENE_HEIGHT = 720;

/** A zone of the demo camera, as the config declares it (normalised coordinates). */
export interface SceneZone {
  readonly id: string;
  readonly type: 'shelf' | 'high-value' | 'checkout' | 'exit' | 'restricted';
  /**
   * What the polygon is drawn over: the shelf and the counter are drawn over the fixtures, which
   * hide the feet of whoever stands at them, so they are `counter` zones.
   */
  readonly surface: 'floor' | 'counter';
  readonly name: string;
  readonly points: [number, number][];
}

/** The demo camera's zones. */
export const SCENE_ZONES: readonly SceneZone[] = [
  {
    id: 'cosmetics',
    type: 'shelf',
    surface: 'counter',
    name: 'Cosmetics shelf',
    points: [
      [0.02, 0.12],
      [0.24, 0.12],
      [0.24, 0.52],
      [0.02, 0.52],
    ],
  },
  {
    id: 'perfume',
    type: 'high-value',
    surface: 'counter',
    name: 'Perfume counter',
    points: [
      [0.4, 0.1],
      [0.6, 0.1],
      [0.6, 0.38],
      [0.4, 0.38],
    ],
  },
  {
    id: 'tills',
    type: 'checkout',
    surface: 'floor',
    name: 'Tills',
    points: [
      [0.68, 0.55],
      [0.92, 0.55],
      [0.92, 0.8],
      [0.68, 0.8],
    ],
  },
  {
    id: 'door',
    type: 'exit',
    surface: 'floor',
    name: 'Main door',
    points: [
      [0.36, 0.9],
      [0.64, 0.9],
      [0.64, 1],
      [0.36, 1],
    ],
  },
  {
    id: 'stockroom',
    type: 'restricted',
    surface: 'floor',
    name: 'Stock room',
    points: [
      [0.86, 0.18],
      [1, 0.18],
      [1, 0.5],
      [0.86, 0.5],
    ],
  },
];

/** How tall a person standing at image row `y` appears: nearer the camera is lower and taller. */
export function apparentHeight(y: number): number {
  return SCENE_HEIGHT * (0.22 + (0.38 * y) / SCENE_HEIGHT);
}

/** Places people go, as foot positions in pixels. */
export const SPOTS = {
  /** Just inside the door. */
  door: [640, 690],
  /** The middle of the shop floor. */
  floor: [640, 560],
  /** In front of the cosmetics shelf. */
  cosmetics: [250, 450],
  /**
   * An item high on the cosmetics shelf, at the full stretch of the right arm of someone at
   * `cosmetics`: up and to the left of their shoulder, as a reach into a shelf looks.
   */
  cosmeticsItem: [128, 100],
  /** In front of the perfume counter. */
  perfume: [640, 400],
  /**
   * A bottle at the back of the perfume counter, at the full stretch of the right arm of someone
   * at `perfume`: up and across, above their left shoulder.
   */
  perfumeItem: [700, 82],
  /** At the tills. */
  tills: [1024, 520],
  /** Before the stock-room door. */
  nearStockroom: [900, 380],
  /** Inside the stock room's doorway. */
  stockroom: [1200, 330],
  /** Along the aisle, away from every zone. */
  aisleLeft: [420, 560],
  aisleRight: [840, 470],
} as const satisfies Record<string, Point>;
