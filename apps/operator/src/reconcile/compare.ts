/**
 * Comparing what the operator wants with what the cluster holds, without a request: the live
 * object "covers" the desired one when every field the operator sets has the same value there.
 * Fields the API server adds (defaults, status, other managers' labels) are ignored.
 */

/** True when `live` holds every field of `wanted` with an equal value. Lists must match item by item. */
export function covers(live: unknown, wanted: unknown): boolean {
  if (wanted === null || typeof wanted !== 'object') {
    return live === wanted || (typeof wanted === 'number' && String(wanted) === live);
  }
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(live) &&
      live.length === wanted.length &&
      wanted.every((item, i) => covers(live[i], item))
    );
  }
  if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
  const liveRecord = live as Record<string, unknown>;
  return Object.entries(wanted as Record<string, unknown>).every(([key, value]) =>
    value === undefined ? true : covers(liveRecord[key], value),
  );
}

/** Structural equality that ignores key order and undefined fields. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const defined = (o: object) =>
    Object.entries(o).filter(([, v]) => v !== undefined) as [string, unknown][];
  const left = defined(a);
  const right = new Map(defined(b));
  return (
    left.length === right.size && left.every(([k, v]) => right.has(k) && deepEqual(v, right.get(k)))
  );
}
