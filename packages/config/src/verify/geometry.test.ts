import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from './geometry.js';
import { polygonArea, verifyPolygon } from './geometry.js';

const square: Point[] = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

describe('verifyPolygon', () => {
  it('accepts convex and concave simple polygons', () => {
    assert.deepEqual(verifyPolygon(square), { ok: true });
    const lShape: Point[] = [
      [0, 0],
      [0.5, 0],
      [0.5, 0.5],
      [1, 0.5],
      [1, 1],
      [0, 1],
    ];
    assert.deepEqual(verifyPolygon(lShape), { ok: true });
  });

  it('finds a bow-tie', () => {
    const verdict = verifyPolygon([
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
    ]);
    assert.equal(verdict.ok ? 'ok' : verdict.reason, 'self-intersects');
  });

  it('finds an outline that folds back on itself', () => {
    const spike: Point[] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [1, 0.5],
      [0, 1],
    ];
    assert.equal(verifyPolygon(spike).ok, false);
  });

  it('finds an outline that touches itself at a vertex', () => {
    const touching: Point[] = [
      [0, 0],
      [1, 0],
      [0.5, 0.5],
      [1, 1],
      [0, 1],
      [0.5, 0.5],
    ];
    assert.equal(verifyPolygon(touching).ok, false);
  });

  it('finds collinear points and repeated points', () => {
    const line = verifyPolygon([
      [0, 0],
      [0.5, 0.5],
      [1, 1],
    ]);
    assert.equal(line.ok ? 'ok' : line.reason, 'no-area');
    const repeated = verifyPolygon([
      [0, 0],
      [0, 0],
      [1, 1],
      [0, 1],
    ]);
    assert.equal(repeated.ok ? 'ok' : repeated.reason, 'repeated-point');
  });

  it('finds points outside the frame, and NaN', () => {
    const out = verifyPolygon([
      [0, 0],
      [1.01, 0],
      [1, 1],
    ]);
    assert.deepEqual(out, { ok: false, reason: 'out-of-range', point: 1 });
    assert.equal(
      verifyPolygon([
        [0, 0],
        [Number.NaN, 0],
        [1, 1],
      ]).ok,
      false,
    );
  });

  it('measures areas whatever the orientation', () => {
    assert.equal(polygonArea(square), 1);
    assert.equal(polygonArea([...square].reverse()), 1);
  });
});
