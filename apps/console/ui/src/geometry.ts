/**
 * Zones in pixels, for drawing over a snapshot. The client's config writes zone points in
 * normalised 0..1 frame coordinates; the detector turns them into pixels of the analysed frame
 * (`zonesInPixels` in packages/vision/src/geometry.ts). This is the same conversion, kept here
 * because the browser bundle takes nothing from Node packages.
 */

import type { ZoneSpec } from './types.js';

/** A zone as a polygon in pixels of one frame. */
export interface PixelZone {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly polygon: readonly (readonly [number, number])[];
}

/** Converts a camera's zones to pixels of a `width` × `height` frame. */
export function zonesInPixels(
  zones: readonly ZoneSpec[],
  width: number,
  height: number,
): PixelZone[] {
  return zones.map((zone) => ({
    id: zone.id,
    name: zone.name ?? zone.id,
    type: zone.type,
    polygon: zone.points.map(([x, y]) => [x * width, y * height] as const),
  }));
}

/** A polygon as an SVG `points` attribute. */
export function svgPoints(polygon: readonly (readonly [number, number])[]): string {
  return polygon.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}

/** Where to put a zone's label: its top-left-most vertex. */
export function labelAnchor(
  polygon: readonly (readonly [number, number])[],
): readonly [number, number] {
  let best: readonly [number, number] = polygon[0] ?? [0, 0];
  for (const p of polygon) if (p[1] + p[0] * 0.25 < best[1] + best[0] * 0.25) best = p;
  return best;
}
