/**
 * Zones in pixels, for drawing over a snapshot. The client's config writes zone points in
 * normalised 0..1 frame coordinates; this turns them into pixels of one frame, as the detector
 * does for the frames it analyses (`zonesInPixels` in packages/vision/src/geometry.ts, which
 * also carries each zone's surface).
 */

/** What a zone needs to be drawn: the config's ID, type, optional name and normalised points. */
export interface ZoneOutline {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A zone as a polygon in pixels of one frame. */
export interface PixelZone {
  readonly id: string;
  /** The zone's name, or its ID when the config gives none. */
  readonly name: string;
  readonly type: string;
  readonly polygon: readonly (readonly [number, number])[];
}

/** Converts a camera's zones to pixels of a `width` × `height` frame. */
export function zonesInPixels(
  zones: readonly ZoneOutline[],
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
