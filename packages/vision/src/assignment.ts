/** Optimal assignment (the Hungarian method), as the trackers and MOT metrics need it. */

/** A matching: pairs of (row, column), and the rows and columns left over. */
export interface Matching {
  readonly pairs: readonly (readonly [row: number, col: number])[];
  readonly unmatchedRows: readonly number[];
  readonly unmatchedCols: readonly number[];
}

/**
 * Minimum-cost assignment of rows to columns. Pairs costing more than `maxCost` are refused, and
 * both their row and column are left unmatched. O(n²m) with the potentials method. `columns`
 * gives the column count, which an empty matrix cannot.
 */
export function assign(
  cost: readonly (readonly number[])[],
  maxCost: number,
  columns?: number,
): Matching {
  const rows = cost.length;
  // With no rows the matrix cannot tell how many columns there are; the caller does.
  const cols = columns ?? cost[0]?.length ?? 0;
  if (rows === 0 || cols === 0) {
    return {
      pairs: [],
      unmatchedRows: [...Array(rows).keys()],
      unmatchedCols: [...Array(cols).keys()],
    };
  }
  // The potentials method wants no more rows than columns; transpose when needed.
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  // Refused pairs cost a large constant, so that they are only taken when nothing else fits.
  const big = 1e9;
  const at = (i: number, j: number): number => {
    const c = transposed ? (cost[j]?.[i] ?? big) : (cost[i]?.[j] ?? big);
    return c > maxCost ? big : c;
  };
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: the row (1-based) matched to column j
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0] as number;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j] === 1) continue;
        const cur = at(i0 - 1, j - 1) - (u[i0] as number) - (v[j] as number);
        if (cur < (minv[j] as number)) {
          minv[j] = cur;
          way[j] = j0;
        }
        if ((minv[j] as number) < delta) {
          delta = minv[j] as number;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j] === 1) {
          u[p[j] as number] = (u[p[j] as number] as number) + delta;
          v[j] = (v[j] as number) - delta;
        } else {
          minv[j] = (minv[j] as number) - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0] as number;
      p[j0] = p[j1] as number;
      j0 = j1;
    } while (j0 !== 0);
  }
  const pairs: [number, number][] = [];
  const rowTaken = new Uint8Array(rows);
  const colTaken = new Uint8Array(cols);
  for (let j = 1; j <= m; j++) {
    const i = p[j] as number;
    if (i === 0) continue;
    const [r, c] = transposed ? [j - 1, i - 1] : [i - 1, j - 1];
    if ((cost[r]?.[c] ?? big) > maxCost) continue;
    pairs.push([r, c]);
    rowTaken[r] = 1;
    colTaken[c] = 1;
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return {
    pairs,
    unmatchedRows: [...Array(rows).keys()].filter((r) => rowTaken[r] === 0),
    unmatchedCols: [...Array(cols).keys()].filter((c) => colTaken[c] === 0),
  };
}
