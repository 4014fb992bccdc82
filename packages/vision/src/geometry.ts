/** Plane geometry on frame pixels: boxes, polygons and the zones' runtime form. */

import type { CameraPlan } from '@vigie/plan';
import type { Box } from './pose.js';

/** A point in pixels. */
export type Point = readonly [x: number, y: number];

/** Intersection over union of two boxes; 0 when either is empty. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** Whether a point lies inside a polygon (even-odd rule; points on an edge may go either way). */
export function pointInPolygon(point: Point, polygon: readonly Point[]): boolean {
  const [x, y] = point;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as Point;
    const [xj, yj] = polygon[j] as Point;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Euclidean distance. */
export function distance(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** The zone kinds that behaviour rules watch. */
export type ZoneType = CameraPlan['zones'][number]['type'];

/**
 * What a zone's polygon is drawn over: the floor people stand on, or a counter (shelf front,
 * display) at waist height that hides the feet of whoever stands at it.
 */
export type ZoneSurface = CameraPlan['zones'][number]['surface'];

/** A zone in its runtime form: its outline in the frame's pixels. */
export interface PixelZone {
  readonly id: string;
  readonly name: string;
  readonly type: ZoneType;
  /** What the polygon is drawn over; absent means `floor`, as in the config. */
  readonly surface?: ZoneSurface;
  readonly polygon: readonly Point[];
}

/** Turns a camera's zones, in normalised coordinates, into pixel polygons for one frame size. */
export function zonesInPixels(
  zones: CameraPlan['zones'],
  width: number,
  height: number,
): PixelZone[] {
  return zones.map((zone) => ({
    id: zone.id,
    name: zone.name ?? zone.id,
    type: zone.type,
    surface: zone.surface,
    polygon: zone.points.map(([x, y]) => [x * width, y * height] as const),
  }));
}

/** Whether a zone holds goods (shelf or high-value). */
export function holdsGoods(zone: PixelZone): boolean {
  return zone.type === 'shelf' || zone.type === 'high-value';
}
