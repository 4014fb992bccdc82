/**
 * Where the model looks in a frame: a pure decision from what moved, where people are tracked,
 * and how long ago the whole picture was last searched. Inference is spent on the parts of the
 * picture where people are, at a larger scale than the whole frame would get for the same cost,
 * so that people 50 px tall under a high camera are still found.
 */

import type { CameraPlan } from '@vigie/plan';
import type { Box } from '@vigie/vision';

/** A part of the frame the model runs on, and the model input it is scaled to. */
export interface Region {
  /** The crop, in frame pixels; `[x1, y1, x2, y2]` with integer edges. */
  readonly box: Box;
  /** The model input's size; multiples of 32. */
  readonly inputWidth: number;
  readonly inputHeight: number;
}

/** How a camera's inference is budgeted; see `<analysis>` in the config reference. */
export interface RegionSettings {
  /** The most model-input pixels one frame may use: the cost of a frame. */
  readonly inputPixels: number;
  /** The largest magnification of a crop; more adds cost without finding more. */
  readonly maxScale: number;
  /** The whole frame is searched at least this often, for people who stand still untracked. */
  readonly fullFrameSeconds: number;
  /** The most regions in one frame. */
  readonly maxRegions: number;
}

/** A camera's budget, from its `<analysis>` settings (the config schema holds their defaults). */
export function regionSettings(
  analysis: Pick<CameraPlan['analysis'], 'inputPixels' | 'fullFrameSeconds'>,
): RegionSettings {
  return {
    inputPixels: analysis.inputPixels,
    fullFrameSeconds: analysis.fullFrameSeconds,
    // Beyond full resolution a crop costs more and finds no more; three crops cover the groups
    // of people a camera shows before they merge.
    maxScale: 1,
    maxRegions: 3,
  };
}

/** What {@link planRegions} decides from. */
export interface RegionInput {
  readonly width: number;
  readonly height: number;
  /** Boxes around what moved in this frame. */
  readonly motion: readonly Box[];
  /** Boxes of the people being tracked (their last sighting). */
  readonly tracks: readonly Box[];
  /** Stream seconds since the whole frame was last searched; Infinity if never. */
  readonly sinceFullFrame: number;
  readonly settings: RegionSettings;
}

/** What {@link planRegions} decided. */
export interface RegionPlan {
  /** The regions to run the model on; none when nothing moves and nobody is tracked. */
  readonly regions: readonly Region[];
  /** Whether the regions cover the whole frame. */
  readonly fullFrame: boolean;
}

function area(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

function union(a: Box, b: Box): Box {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

function overlaps(a: Box, b: Box): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/**
 * Grows a box by its own height on every side (at least 24 px): a person's whole body, arms and
 * the next step are inside it, and a box from motion alone (often only a moving part) becomes
 * the person.
 */
function grow(b: Box, width: number, height: number): Box {
  const m = Math.max(24, 0.6 * (b[3] - b[1]));
  return [
    Math.max(0, b[0] - m),
    Math.max(0, b[1] - m),
    Math.min(width, b[2] + m),
    Math.min(height, b[3] + m),
  ];
}

/** A crop being planned: its box, and the height of the people in it. */
interface Cluster {
  readonly box: Box;
  /** The tallest person box in it, in frame pixels. */
  readonly personHeight: number;
}

function join(a: Cluster, b: Cluster): Cluster {
  return { box: union(a.box, b.box), personHeight: Math.max(a.personHeight, b.personHeight) };
}

function clusters(parts: readonly Cluster[], maxRegions: number): Cluster[] {
  let out = [...parts];
  // Overlapping parts join; then the pair whose union wastes least joins, until few enough.
  // Joining people of very different sizes (near and far from the camera) counts as waste
  // too: one crop has one scale, too small for the far ones or wasted on the near ones.
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length && !merged; j++) {
        const a = out[i];
        const b = out[j];
        if (a && b && overlaps(a.box, b.box)) {
          out = [...out.filter((_, k) => k !== i && k !== j), join(a, b)];
          merged = true;
        }
      }
    }
  }
  while (out.length > maxRegions) {
    let best: { i: number; j: number; waste: number } | undefined;
    for (let i = 0; i < out.length; i++) {
      for (let j = i + 1; j < out.length; j++) {
        const a = out[i];
        const b = out[j];
        if (!a || !b) continue;
        const ratio =
          Math.max(a.personHeight, b.personHeight) /
          Math.max(1, Math.min(a.personHeight, b.personHeight));
        const waste = (area(union(a.box, b.box)) - area(a.box) - area(b.box)) * ratio;
        if (!best || waste < best.waste) best = { i, j, waste };
      }
    }
    if (!best) break;
    const { i, j } = best;
    const a = out[i];
    const b = out[j];
    if (!a || !b) break;
    out = [...out.filter((_, k) => k !== i && k !== j), join(a, b)];
  }
  return out;
}

/** The height, in model-input pixels, that people are scaled towards: MoveNet finds them well. */
const TARGET_PERSON_HEIGHT = 128;

/**
 * Each crop's scale: people of every crop are brought towards {@link TARGET_PERSON_HEIGHT},
 * never beyond full resolution, and when that costs more than the budget all scales shrink
 * together, so that far (small) people keep a larger scale than near ones.
 */
function scales(crops: readonly Cluster[], settings: RegionSettings): number[] {
  const wanted = crops.map((c) =>
    Math.min(settings.maxScale, TARGET_PERSON_HEIGHT / Math.max(1, c.personHeight)),
  );
  const cost = crops.reduce((s, c, i) => s + area(c.box) * (wanted[i] ?? 1) ** 2, 0);
  const shrink = cost > settings.inputPixels ? Math.sqrt(settings.inputPixels / cost) : 1;
  return wanted.map((w) => w * shrink);
}

/**
 * Fits a crop to a model input of multiples of 32 at about `scale`: an input rounded up grows the
 * crop to its shape; one rounded down squeezes the crop a little (at most 16 input pixels), and
 * never cuts it.
 */
function fit(b: Box, scale: number, width: number, height: number): Region {
  const inputWidth = Math.max(32, Math.round(((b[2] - b[0]) * scale) / 32) * 32);
  const inputHeight = Math.max(32, Math.round(((b[3] - b[1]) * scale) / 32) * 32);
  const w = Math.min(width, Math.max(b[2] - b[0], inputWidth / scale));
  const h = Math.min(height, Math.max(b[3] - b[1], inputHeight / scale));
  const cx = (b[0] + b[2]) / 2;
  const cy = (b[1] + b[3]) / 2;
  const x1 = Math.round(Math.max(0, Math.min(width - w, cx - w / 2)));
  const y1 = Math.round(Math.max(0, Math.min(height - h, cy - h / 2)));
  return {
    box: [x1, y1, Math.round(Math.min(width, x1 + w)), Math.round(Math.min(height, y1 + h))],
    inputWidth,
    inputHeight,
  };
}

/**
 * Fits crops at their scales. Inputs are whole multiples of 32, so crops round up past the
 * budget; all scales shrink together until the frame costs what it may.
 */
function fitAll(boxes: readonly Box[], scales: readonly number[], input: RegionInput): Region[] {
  const { width, height, settings } = input;
  let each = [...scales];
  let regions = boxes.map((b, i) => fit(b, each[i] ?? 1, width, height));
  for (let tries = 0; tries < 4; tries++) {
    const used = regions.reduce((s, r) => s + r.inputWidth * r.inputHeight, 0);
    if (used <= settings.inputPixels) break;
    const shrink = Math.sqrt(settings.inputPixels / used);
    each = each.map((e) => e * shrink);
    regions = boxes.map((b, i) => fit(b, each[i] ?? 1, width, height));
  }
  return regions;
}

/**
 * Decides where the model runs in this frame. The whole frame is searched when it is due (see
 * {@link RegionSettings.fullFrameSeconds}) or when the parts of interest cover most of it;
 * otherwise the parts where something moved or someone is tracked, grown to hold whole people
 * and merged into at most `maxRegions` crops, share the frame's pixel budget at one scale.
 */
export function planRegions(input: RegionInput): RegionPlan {
  const { width, height, settings } = input;
  const whole: Box = [0, 0, width, height];
  const fullScale = Math.min(settings.maxScale, Math.sqrt(settings.inputPixels / (width * height)));
  const full: RegionPlan = { regions: fitAll([whole], [fullScale], input), fullFrame: true };
  if (input.sinceFullFrame >= settings.fullFrameSeconds) return full;
  const interest = [...input.motion, ...input.tracks].map((b): Cluster => ({
    box: grow(b, width, height),
    personHeight: b[3] - b[1],
  }));
  if (interest.length === 0) return { regions: [], fullFrame: false };
  const crops = clusters(interest, settings.maxRegions);
  const total = crops.reduce((s, c) => s + area(c.box), 0);
  if (total >= 0.7 * width * height) return full;
  return {
    regions: fitAll(
      crops.map((c) => c.box),
      scales(crops, settings),
      input,
    ),
    fullFrame: false,
  };
}
