/** A point in normalised frame coordinates. */
export type Point = readonly [number, number];

/** What is wrong with a polygon, if anything. */
export type PolygonVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'out-of-range'; readonly point: number }
  | { readonly ok: false; readonly reason: 'repeated-point'; readonly point: number }
  | { readonly ok: false; readonly reason: 'no-area' }
  | {
      readonly ok: false;
      readonly reason: 'self-intersects';
      readonly edges: readonly [number, number];
    };

/** Areas below this are no area at all: a sliver thinner than a pixel of a 4K frame. */
const MIN_AREA = 1e-7;

/** Twice the signed area of triangle abc: > 0 when counter-clockwise, 0 when collinear. */
function cross(a: Point, b: Point, c: Point): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

function sign(v: number): number {
  return Math.abs(v) < 1e-12 ? 0 : Math.sign(v);
}

function onSegment(a: Point, b: Point, p: Point): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Whether closed segments ab and cd share at least one point. */
function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = sign(cross(c, d, a));
  const d2 = sign(cross(c, d, b));
  const d3 = sign(cross(a, b, c));
  const d4 = sign(cross(a, b, d));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (
    (d1 === 0 && onSegment(c, d, a)) ||
    (d2 === 0 && onSegment(c, d, b)) ||
    (d3 === 0 && onSegment(a, b, c)) ||
    (d4 === 0 && onSegment(a, b, d))
  );
}

/** The polygon's area (shoelace formula), whatever its orientation. */
export function polygonArea(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i] ?? [0, 0];
    const b = points[(i + 1) % points.length] ?? [0, 0];
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(sum) / 2;
}

/**
 * Checks a zone polygon: every point inside the frame, no repeated consecutive points, some
 * area, and a simple outline (no two edges cross or touch, except neighbours at their shared
 * corner).
 */
export function verifyPolygon(points: readonly Point[]): PolygonVerdict {
  const n = points.length;
  for (let i = 0; i < n; i++) {
    const [x, y] = points[i] ?? [0, 0];
    if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
      return { ok: false, reason: 'out-of-range', point: i };
  }
  for (let i = 0; i < n; i++) {
    const a = points[i] ?? [0, 0];
    const b = points[(i + 1) % n] ?? [0, 0];
    if (a[0] === b[0] && a[1] === b[1])
      return { ok: false, reason: 'repeated-point', point: (i + 1) % n };
  }
  const origin = points[0] ?? [0, 0];
  const other = points[1] ?? [0, 0];
  if (points.every((p) => sign(cross(origin, other, p)) === 0))
    return { ok: false, reason: 'no-area' };
  const vertex = (i: number): Point => points[((i % n) + n) % n] ?? [0, 0];
  for (let i = 0; i < n; i++) {
    const a = vertex(i);
    const b = vertex(i + 1);
    // Neighbouring edges share a corner; they are only wrong when they fold back on each other.
    const c = vertex(i + 2);
    if (
      sign(cross(a, b, c)) === 0 &&
      (c[0] - b[0]) * (a[0] - b[0]) + (c[1] - b[1]) * (a[1] - b[1]) > 0
    ) {
      return { ok: false, reason: 'self-intersects', edges: [i, (i + 1) % n] };
    }
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      if (segmentsIntersect(a, b, vertex(j), vertex(j + 1))) {
        return { ok: false, reason: 'self-intersects', edges: [i, j] };
      }
    }
  }
  if (polygonArea(points) < MIN_AREA) return { ok: false, reason: 'no-area' };
  return { ok: true };
}
