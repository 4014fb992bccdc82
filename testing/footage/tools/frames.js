// The frames of vtest.avi that carry labels, as the labelling sheets and the evaluation use them.
// The clip is 795 frames at 10 fps; the detector analyses it at 5 fps, so every label sits on an
// even frame. Runs are 12 consecutive analysed frames (2.4 s), labelled with track identities;
// scattered frames are single frames between runs. Frames 0-399 (0-40 s) are for tuning,
// frames 400-794 (40-79.5 s) for reporting.

/** Runs of consecutive analysed frames, each with its first frame. */
export const RUNS = [
  { id: 'R1', first: 60 },
  { id: 'R2', first: 180 },
  { id: 'R3', first: 300 },
  { id: 'R4', first: 440 },
  { id: 'R5', first: 580 },
  { id: 'R6', first: 700 },
].map((r) => ({ ...r, frames: Array.from({ length: 12 }, (_, i) => r.first + 2 * i) }));

/** Single labelled frames between the runs, 16 in each half. */
export const SCATTERED = [
  4, 24, 44, 100, 120, 140, 160, 220, 240, 260, 280, 340, 356, 372, 388, 396,
  404, 420, 480, 500, 520, 540, 560, 620, 640, 660, 680, 740, 756, 772, 784, 792,
];

/** Every labelled frame, in order. */
export const LABELLED = [...new Set([...RUNS.flatMap((r) => r.frames), ...SCATTERED])].sort(
  (a, b) => a - b,
);
