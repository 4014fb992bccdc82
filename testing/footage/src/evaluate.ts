/**
 * The figures detection is judged by on labelled footage: person recall and precision at
 * IoU ≥ 0.5, the share of people covered by a confirmed track, CLEAR MOT and IDF1 on the runs,
 * and whether every labelled head lies inside a pixelated area of the kept frame.
 */

import type { Box } from '@vigie/vision';
import { assign, createMotAccumulator, iou } from '@vigie/vision';
import type { Labels, LabelledPerson } from './labels.js';

/** What the pipeline produced for one analysed frame. */
export interface FrameOutput {
  /** The detections that reached the tracker. */
  readonly persons: readonly { readonly box: Box; readonly score: number }[];
  /** Confirmed tracks seen in this frame. */
  readonly tracks: readonly { readonly id: number; readonly box: Box }[];
  /** The pixelated areas of the frame as kept, each with its cell size in pixels. */
  readonly hidden: readonly { readonly box: Box; readonly cell: number }[];
}

/** The figures on a set of labelled frames. */
export interface Figures {
  readonly frames: number;
  readonly people: number;
  readonly detected: number;
  readonly falseDetections: number;
  readonly recall: number;
  readonly precision: number;
  /** Share of the labelled people covered by a confirmed track at IoU ≥ 0.5. */
  readonly tracked: number;
  readonly mota: number;
  readonly idf1: number;
  readonly idSwitches: number;
  readonly heads: number;
  /** Labelled heads not entirely inside a pixelated area with cells of a third of the head. */
  readonly unhiddenHeads: number;
  /** Frame and head of each unhidden head, for looking at. */
  readonly unhidden: readonly { readonly frame: number; readonly head: Box }[];
}

const MIN_IOU = 0.5;

/** Matches boxes at IoU ≥ 0.5, one to one, maximising the total overlap. */
function matchBoxes(
  truth: readonly Box[],
  found: readonly Box[],
): readonly (readonly [number, number])[] {
  if (truth.length === 0 || found.length === 0) return [];
  const costs = truth.map((t) => found.map((f) => (iou(t, f) >= MIN_IOU ? 1 - iou(t, f) : 2)));
  return assign(costs, 1, found.length).pairs;
}

/** Splits detections into true, false, and those on ignored people (which count as neither). */
function score(
  people: readonly LabelledPerson[],
  found: readonly Box[],
): { tp: number; fp: number; fn: number } {
  const required = people.filter((p) => !p.ignore);
  const pairs = matchBoxes(
    required.map((p) => p.box),
    found,
  );
  const used = new Set(pairs.map(([, c]) => c));
  const rest = found.filter((_, i) => !used.has(i));
  const ignored = people.filter((p) => p.ignore).map((p) => p.box);
  const onIgnored = new Set(matchBoxes(ignored, rest).map(([, c]) => c));
  // A box on an ignored person at a looser overlap is not a false detection either.
  const fp = rest.filter((b, i) => !onIgnored.has(i) && !ignored.some((g) => iou(g, b) >= 0.3));
  return { tp: pairs.length, fp: fp.length, fn: required.length - pairs.length };
}

/** Whether `head` lies entirely inside the union of the pixelated areas with cells big enough. */
export function headHidden(head: Box, hidden: FrameOutput['hidden']): boolean {
  const minCell = (head[3] - head[1]) / 3;
  const areas = hidden.filter((h) => h.cell >= minCell).map((h) => h.box);
  // Every whole pixel of the head must fall in some area.
  for (let y = Math.floor(head[1]); y < Math.ceil(head[3]); y++) {
    for (let x = Math.floor(head[0]); x < Math.ceil(head[2]); x++) {
      const inside = areas.some((a) => x >= a[0] && x + 1 <= a[2] && y >= a[1] && y + 1 <= a[3]);
      if (!inside) return false;
    }
  }
  return true;
}

/** IDF1 over runs: identities matched globally, once per run, to maximise agreeing frames. */
function idf1(
  runs: readonly (readonly {
    truth: readonly LabelledPerson[];
    tracks: FrameOutput['tracks'];
  }[])[],
): number {
  let idtp = 0;
  let truthTotal = 0;
  let hypTotal = 0;
  for (const run of runs) {
    const truthIds = [...new Set(run.flatMap((f) => f.truth.map((p) => p.id)))];
    const hypIds = [...new Set(run.flatMap((f) => f.tracks.map((t) => t.id)))];
    const agree = truthIds.map(() => hypIds.map(() => 0));
    for (const f of run) {
      truthTotal += f.truth.length;
      hypTotal += f.tracks.length;
      for (const [r, c] of matchBoxes(
        f.truth.map((p) => p.box),
        f.tracks.map((t) => t.box),
      )) {
        const ti = truthIds.indexOf(f.truth[r]?.id ?? -1);
        const hi = hypIds.indexOf(f.tracks[c]?.id ?? -1);
        const row = agree[ti];
        if (row) row[hi] = (row[hi] ?? 0) + 1;
      }
    }
    if (truthIds.length === 0 || hypIds.length === 0) continue;
    const max = Math.max(1, ...agree.flat());
    const pairs = assign(
      agree.map((row) => row.map((n) => (n > 0 ? 1 - n / max : 2))),
      1,
      hypIds.length,
    ).pairs;
    for (const [r, c] of pairs) idtp += agree[r]?.[c] ?? 0;
  }
  return truthTotal + hypTotal === 0 ? 1 : (2 * idtp) / (truthTotal + hypTotal);
}

/** The figures on the labelled frames that `include` accepts. */
export function evaluate(
  labels: Labels,
  output: ReadonlyMap<number, FrameOutput>,
  include: (frame: number) => boolean,
): Figures {
  let people = 0;
  let tp = 0;
  let fp = 0;
  let tracked = 0;
  let heads = 0;
  const unhidden: { frame: number; head: Box }[] = [];
  for (const [frame, truth] of labels.frames) {
    if (!include(frame)) continue;
    const out = output.get(frame);
    if (!out) throw new Error(`frame ${String(frame)} was not analysed`);
    const required = truth.filter((p) => !p.ignore);
    people += required.length;
    const s = score(
      truth,
      out.persons.map((p) => p.box),
    );
    tp += s.tp;
    fp += s.fp;
    tracked += matchBoxes(
      required.map((p) => p.box),
      out.tracks.map((t) => t.box),
    ).length;
    for (const p of required) {
      if (!p.head) continue;
      heads++;
      if (!headHidden(p.head, out.hidden)) unhidden.push({ frame, head: p.head });
    }
  }
  const motRuns = labels.runs.filter((r) => r.frames.every(include));
  const mot = createMotAccumulator(MIN_IOU);
  const runs = motRuns.map((r) =>
    r.frames.map((f) => {
      const truth = (labels.frames.get(f) ?? []).filter((p) => !p.ignore);
      const tracks = output.get(f)?.tracks ?? [];
      mot.add(truth, tracks);
      return { truth, tracks };
    }),
  );
  const m = mot.result();
  const frames = [...labels.frames.keys()].filter(include).length;
  return {
    frames,
    people,
    detected: tp,
    falseDetections: fp,
    recall: people === 0 ? 1 : tp / people,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    tracked: people === 0 ? 1 : tracked / people,
    mota: m.mota,
    idf1: idf1(runs),
    idSwitches: m.idSwitches,
    heads,
    unhiddenHeads: unhidden.length,
    unhidden,
  };
}
