import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assign } from './assignment.js';

function bruteForce(cost: number[][]): number {
  const rows = cost.length;
  const cols = cost[0]?.length ?? 0;
  let best = Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const walk = (r: number, sum: number, matched: number): void => {
    if (r === rows) {
      if (matched === Math.min(rows, cols)) best = Math.min(best, sum);
      return;
    }
    // A row may stay unmatched only when there are more rows than columns.
    if (rows - r > cols - matched) walk(r + 1, sum, matched);
    for (let c = 0; c < cols; c++) {
      if (used[c]) continue;
      used[c] = true;
      walk(r + 1, sum + (cost[r]?.[c] ?? 0), matched + 1);
      used[c] = false;
    }
  };
  walk(0, 0, 0);
  return best;
}

describe('assign', () => {
  it('finds the cheapest complete matching, whatever the shape', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((rows) =>
          fc.integer({ min: 1, max: 5 }).chain((cols) =>
            fc.array(
              fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
                minLength: cols,
                maxLength: cols,
              }),
              {
                minLength: rows,
                maxLength: rows,
              },
            ),
          ),
        ),
        (cost) => {
          const { pairs } = assign(cost, 10);
          const total = pairs.reduce((sum, [r, c]) => sum + (cost[r]?.[c] ?? 0), 0);
          assert.ok(Math.abs(total - bruteForce(cost)) < 1e-9);
          assert.equal(pairs.length, Math.min(cost.length, cost[0]?.length ?? 0));
        },
      ),
    );
  });

  it('refuses pairs above the cost limit, leaving both sides unmatched', () => {
    const result = assign(
      [
        [0.1, 0.9],
        [0.95, 0.99],
      ],
      0.5,
    );
    assert.deepEqual(result.pairs, [[0, 0]]);
    assert.deepEqual(result.unmatchedRows, [1]);
    assert.deepEqual(result.unmatchedCols, [1]);
  });

  it('reports every column unmatched when there are no rows', () => {
    assert.deepEqual(assign([], 1, 3).unmatchedCols, [0, 1, 2]);
  });
});
