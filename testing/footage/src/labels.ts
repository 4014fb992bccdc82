import { readFileSync } from 'node:fs';
import type { Box } from '@vigie/vision';

/** One labelled person in one frame. */
export interface LabelledPerson {
  /** Identity; the same person keeps it through a run of consecutive labelled frames. */
  readonly id: number;
  readonly box: Box;
  /** The head, when any of it is visible. */
  readonly head?: Box;
  /** Under 35 px tall or more than half hidden: neither required nor a false detection. */
  readonly ignore?: boolean;
}

/** The hand-made labels of vtest.avi, by frame number (t = frame / 10 s). */
export interface Labels {
  readonly frames: ReadonlyMap<number, readonly LabelledPerson[]>;
  /** Runs of consecutive analysed frames whose identities hold through the run. */
  readonly runs: readonly { readonly id: string; readonly frames: readonly number[] }[];
}

interface LabelFile {
  readonly runs: readonly { readonly id: string; readonly frames: readonly number[] }[];
  readonly frames: Readonly<Record<string, readonly LabelledPerson[]>>;
}

/** Reads the committed labels (`testing/footage/labels/vtest.json`). */
export function loadLabels(
  path = new URL('../labels/vtest.json', import.meta.url).pathname,
): Labels {
  const file = JSON.parse(readFileSync(path, 'utf8')) as LabelFile;
  const frames = new Map<number, readonly LabelledPerson[]>();
  for (const [frame, people] of Object.entries(file.frames)) frames.set(Number(frame), people);
  return { frames, runs: file.runs };
}
