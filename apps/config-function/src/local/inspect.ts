/** What is at a path of the config folder, as `lstat` tells it, without following links. */

import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import type { EntryKind, EntryState } from './entry.js';

/** What is at `path` now, without following a link; undefined when nothing is. */
export async function inspectEntry(path: Buffer): Promise<EntryState | undefined> {
  let info: BigIntStats;
  try {
    info = await lstat(path, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  return {
    kind: kindOf(info),
    generation: String(info.ctimeNs),
    size: info.size,
    links: info.nlink,
  };
}

function kindOf(info: BigIntStats): EntryKind {
  if (info.isFile()) return 'file';
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isDirectory()) return 'directory';
  if (info.isFIFO()) return 'fifo';
  if (info.isSocket()) return 'socket';
  return 'device';
}
