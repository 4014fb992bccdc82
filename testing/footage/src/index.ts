/**
 * Real footage for judging detection: OpenCV's sample clip `vtest.avi` (fetched from Debian's
 * `opencv-doc` by `scripts/ensure-footage.sh`, cached, never committed) and the labels made by
 * hand for it. Test-only; never imported by shipped code.
 */
export { vtestPath, VTEST } from './clip.js';
export { loadLabels } from './labels.js';
export type { Labels, LabelledPerson } from './labels.js';
export { evaluate, headHidden } from './evaluate.js';
export type { Figures, FrameOutput } from './evaluate.js';
