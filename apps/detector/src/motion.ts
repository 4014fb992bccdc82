/**
 * Motion: where a fixed camera's picture changes, as Frigate finds it. Each frame is shrunk to a
 * grid of grey cells about 4 px wide and compared with a slowly learnt background; cells that
 * differ are grouped into boxes. It costs about a millisecond a frame, and tells the model where
 * to look: a camera where nothing moves and nobody is tracked needs no inference at all.
 */

import type { Box } from '@vigie/vision';
import type { RgbFrame } from './models/model.js';

/** Options of {@link createMotionDetector}. */
export interface MotionOptions {
  /** Grey levels (0-255) a cell must differ from the background by to count as moving. */
  readonly threshold?: number;
  /**
   * How fast the background learns, per analysed frame: 0.02 at 5 fps forgets in about 10 s,
   * slower than people walk, faster than the light changes.
   */
  readonly learningRate?: number;
  /** Boxes of fewer moving cells than this are noise (leaves, compression). */
  readonly minCells?: number;
}

/** What moved in a frame. */
export interface Motion {
  /** Boxes around connected moving cells, in frame pixels. */
  readonly boxes: readonly Box[];
  /** The share of the picture that moved, 0 to 1. */
  readonly fraction: number;
  /**
   * The tops of the shapes that moved, or that differ from the scene as it looked over the
   * last minutes, in strips 12 px wide: where a person's head is, even when several people
   * move as one shape, and even when someone stopped long enough to fade from the fast
   * background without being tracked.
   */
  readonly tops: readonly Box[];
}

/** A camera's motion detector; frames must come in order and keep one size. */
export interface MotionDetector {
  /**
   * Compares a frame with the background and learns from it. Cells inside `hold` (the boxes
   * of people being tracked) are not learnt, so that a person standing still stays in view.
   */
  update(frame: RgbFrame, hold?: readonly Box[]): Motion;
}

const CELL = 4;

/** How fast the scene behind {@link Motion.tops} learns, per analysed frame. */
const SCENE_RATE = 0.002;

/** Creates a motion detector. */
export function createMotionDetector(options: MotionOptions = {}): MotionDetector {
  const threshold = options.threshold ?? 18;
  const rate = options.learningRate ?? 0.02;
  const minCells = options.minCells ?? 6;
  let background: Float32Array | undefined;
  // The scene over the last minutes (about 100 s at 5 fps): people who stop stand out from it
  // long after the fast background has learnt them.
  let scene: Float32Array | undefined;
  let size = { width: 0, height: 0, cols: 0, rows: 0 };

  function grey(frame: RgbFrame): Float32Array {
    const { width, height, data } = frame;
    const cols = Math.floor(width / CELL);
    const rows = Math.floor(height / CELL);
    const out = new Float32Array(cols * rows);
    // One pixel in four of each cell, in a diagonal: enough to see a person, a quarter of the work.
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let sum = 0;
        for (let k = 0; k < CELL; k++) {
          const i = ((r * CELL + k) * width + c * CELL + k) * 3;
          sum += (data[i] ?? 0) * 0.299 + (data[i + 1] ?? 0) * 0.587 + (data[i + 2] ?? 0) * 0.114;
        }
        out[r * cols + c] = sum / CELL;
      }
    }
    return out;
  }

  return {
    update(frame, hold = []) {
      const g = grey(frame);
      if (!background || size.width !== frame.width || size.height !== frame.height) {
        size = {
          width: frame.width,
          height: frame.height,
          cols: Math.floor(frame.width / CELL),
          rows: Math.floor(frame.height / CELL),
        };
        background = g;
        scene = Float32Array.from(g);
        return { boxes: [], fraction: 0, tops: [] };
      }
      const { cols, rows } = size;
      const bg = background;
      const slow = scene ?? Float32Array.from(g);
      scene = slow;
      const moving = new Uint8Array(cols * rows);
      const standing = new Uint8Array(cols * rows);
      let count = 0;
      for (let i = 0; i < g.length; i++) {
        if (Math.abs((g[i] ?? 0) - (bg[i] ?? 0)) > threshold) {
          moving[i] = 1;
          count++;
        }
      }
      const held = new Uint8Array(cols * rows);
      for (const [x1, y1, x2, y2] of hold) {
        const c1 = Math.max(0, Math.floor(x1 / CELL));
        const c2 = Math.min(cols - 1, Math.floor(x2 / CELL));
        const r1 = Math.max(0, Math.floor(y1 / CELL));
        const r2 = Math.min(rows - 1, Math.floor(y2 / CELL));
        for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) held[r * cols + c] = 1;
      }
      for (let i = 0; i < g.length; i++) {
        const v = g[i] ?? 0;
        if (Math.abs(v - (slow[i] ?? 0)) > threshold) standing[i] = 1;
        slow[i] = (slow[i] ?? 0) * (1 - SCENE_RATE) + v * SCENE_RATE;
        if (held[i]) continue;
        // Moving cells learn ten times slower, so that a passer-by leaves no ghost behind.
        const a = moving[i] ? rate / 10 : rate;
        bg[i] = (bg[i] ?? 0) * (1 - a) + v * a;
      }
      const boxes = components(moving, cols, rows, minCells);
      const shapes = components(standing, cols, rows, minCells);
      return {
        boxes,
        fraction: count / g.length,
        tops: [...silhouetteTops(moving, cols, boxes), ...silhouetteTops(standing, cols, shapes)],
      };
    },
  };
}

/**
 * Boxes around groups of moving cells. Cells up to two apart join one group, so that a person
 * whose clothes match the background in places is still one box.
 */
function components(moving: Uint8Array, cols: number, rows: number, minCells: number): Box[] {
  const label = new Int32Array(cols * rows);
  const boxes: Box[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < moving.length; start++) {
    if (!moving[start] || label[start]) continue;
    next++;
    label[start] = next;
    stack.push(start);
    let n = 0;
    let c1 = cols;
    let r1 = rows;
    let c2 = -1;
    let r2 = -1;
    while (stack.length > 0) {
      const i = stack.pop() ?? 0;
      const r = Math.floor(i / cols);
      const c = i % cols;
      n++;
      c1 = Math.min(c1, c);
      c2 = Math.max(c2, c);
      r1 = Math.min(r1, r);
      r2 = Math.max(r2, r);
      for (let dr = -2; dr <= 2; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= rows) continue;
        for (let dc = -2; dc <= 2; dc++) {
          const cc = c + dc;
          if (cc < 0 || cc >= cols) continue;
          const j = rr * cols + cc;
          if (moving[j] && !label[j]) {
            label[j] = next;
            stack.push(j);
          }
        }
      }
    }
    if (n >= minCells) boxes.push([c1 * CELL, r1 * CELL, (c2 + 1) * CELL, (r2 + 1) * CELL]);
  }
  return boxes;
}

const STRIP_CELLS = 3;

/**
 * The top of each moving shape, strip by strip, as a box a head's height deep. Each box spans
 * its strip and both neighbours, from the highest of their tops to the lowest plus the depth:
 * where people overlap, the nearer one's head sits lower than the shape's top, beside it.
 */
function silhouetteTops(moving: Uint8Array, cols: number, boxes: readonly Box[]): Box[] {
  const tops: Box[] = [];
  for (const [x1, y1, x2, y2] of boxes) {
    const c1 = x1 / CELL;
    const c2 = x2 / CELL;
    const r1 = y1 / CELL;
    const r2 = y2 / CELL;
    // A head is about a seventh of a person; a shape shorter than a person still hides 20 px.
    const depth = Math.max(20, 0.25 * (y2 - y1));
    const strips: { c: number; top: number }[] = [];
    for (let c = c1; c < c2; c += STRIP_CELLS) {
      let top = -1;
      for (let r = r1; r < r2 && top < 0; r++) {
        for (let k = c; k < Math.min(c2, c + STRIP_CELLS); k++) {
          if (moving[r * cols + k]) {
            top = r;
            break;
          }
        }
      }
      if (top >= 0) strips.push({ c, top });
    }
    for (const [i, strip] of strips.entries()) {
      const near = strips
        .slice(Math.max(0, i - 1), i + 2)
        .filter((s) => Math.abs(s.c - strip.c) <= STRIP_CELLS);
      const high = Math.min(...near.map((s) => s.top));
      const low = Math.max(...near.map((s) => s.top));
      tops.push([
        Math.max(c1, strip.c - STRIP_CELLS) * CELL,
        high * CELL,
        Math.min(c2, strip.c + 2 * STRIP_CELLS) * CELL,
        Math.min(y2, low * CELL + depth),
      ]);
    }
  }
  return tops;
}
