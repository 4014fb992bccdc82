/**
 * Drawing zones over a snapshot. Zones are turned into pixels by `zonesInPixels`, which the
 * console's API defines for the server and the UI alike (`apps/console/src/api/zones.ts`).
 */

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
