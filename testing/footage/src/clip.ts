import { join } from 'node:path';

/** Facts about vtest.avi. */
export const VTEST = {
  width: 768,
  height: 576,
  fps: 10,
  frames: 795,
  /** Frames before this one are for tuning; the figures are reported on the rest. */
  reportFrom: 400,
} as const;

/** Where `scripts/ensure-footage.sh` keeps vtest.avi: `$VIGIE_CACHE/footage` or `~/.cache/vigie/footage`. */
export function vtestPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const cache =
    env.VIGIE_CACHE ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? '/tmp', '.cache'), 'vigie');
  return join(cache, 'footage', 'vtest.avi');
}
