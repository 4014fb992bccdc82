/**
 * The retention sweep: earlier detectors kept local copies of evidence in `DATA_DIR/evidence`;
 * whatever is left there is deleted once it is older than the client's retention period.
 */

import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** How often the sweep runs after the first one, at start. */
export const SWEEP_INTERVAL_MS = 3_600_000;

const DAY_MS = 86_400_000;

/** Deletes the files in `dir` last modified more than `retentionDays` before `now`. */
export async function sweepEvidence(
  dir: string,
  retentionDays: number,
  now = Date.now(),
): Promise<void> {
  const cutoff = now - retentionDays * DAY_MS;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    // No folder: nothing was ever kept here.
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
    } catch {
      // Gone already.
    }
  }
}

/** Options of {@link startRetentionSweep}. */
export interface RetentionSweepOptions {
  readonly dir: string;
  /** Read at each sweep, so that a reloaded config's retention applies from the next one. */
  readonly retentionDays: () => number;
  /** Default {@link SWEEP_INTERVAL_MS}. */
  readonly intervalMs?: number;
}

/** A running sweep. */
export interface RetentionSweep {
  stop(): void;
}

/** Sweeps now, then every `intervalMs`, until stopped. */
export function startRetentionSweep(options: RetentionSweepOptions): RetentionSweep {
  const sweep = (): Promise<void> => sweepEvidence(options.dir, options.retentionDays());
  void sweep();
  const timer = setInterval(() => void sweep(), options.intervalMs ?? SWEEP_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
    },
  };
}
