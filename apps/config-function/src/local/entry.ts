/**
 * What the folder watcher does with one entry of the config folder, as a pure verdict. A bucket
 * holds only plain objects with readable names; the folder can hold anything, so whatever a
 * bucket could not hold is refused here, with a stable code, before any byte of it is read.
 */

import type { Problem } from '@vigie/config';

/** The kinds of directory entries, as `lstat` tells them apart. */
export type EntryKind = 'file' | 'symlink' | 'directory' | 'fifo' | 'socket' | 'device';

/** What `lstat` said about an entry. */
export interface EntryState {
  readonly kind: EntryKind;
  /** The change time in nanoseconds: the generation of the object. */
  readonly generation: string;
  readonly size: bigint;
  /** How many names the file has (hard links). */
  readonly links: bigint;
}

/** The longest file name Linux, macOS and Windows file systems take, in bytes. */
export const NAME_MAX_BYTES = 255;

/** The suffix of the longest name the function writes next to a config. */
const LONGEST_REPORT_SUFFIX = '.report.json';

/** What to do with an entry. */
export type EntryVerdict =
  /** Not a client config by its name (a report, a temporary file, a README): nothing to do. */
  | { readonly action: 'ignore' }
  /** Nothing is at that name (any more). */
  | { readonly action: 'gone' }
  /** A plain file: hand it to the function, with its size so that it refuses a big one unread. */
  | { readonly action: 'handle'; readonly generation: string; readonly size: bigint }
  /**
   * Refused: never read, never handed to the function. The problem goes into a report next to
   * the entry when `nextToFile`, else (the report's own name could not exist) into the logs.
   * `named` says the name itself is wrong, so no `Client` can ever have come from it.
   */
  | {
      readonly action: 'refuse';
      readonly name: string;
      readonly generation: string;
      readonly problem: Problem;
      readonly nextToFile: boolean;
      readonly named: boolean;
    };

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

const KIND_WORDS: Record<Exclude<EntryKind, 'file'>, string> = {
  symlink: 'a symbolic link',
  directory: 'a directory',
  fifo: 'a named pipe (FIFO)',
  socket: 'a socket',
  device: 'a device',
};

const problem = (code: Problem['code'], message: string): Problem => ({
  code,
  message,
  line: 1,
  column: 1,
});

/**
 * Judges one entry from its raw name (the bytes the file system holds) and what `lstat` said
 * (undefined when nothing is there). Names are checked first: a name that is not UTF-8, or too
 * long to have a report next to it, is refused whatever the entry is.
 */
export function judgeEntry(rawName: Uint8Array, state: EntryState | undefined): EntryVerdict {
  let name: string;
  try {
    name = fatalUtf8.decode(rawName);
  } catch {
    name = new TextDecoder('utf-8').decode(rawName);
    if (!name.endsWith('.xml')) return { action: 'ignore' };
    if (state === undefined) return { action: 'gone' };
    return {
      action: 'refuse',
      name,
      generation: state.generation,
      problem: problem(
        'VIGIE_E_NAME_INVALID',
        `the file name ${JSON.stringify(name)} is not valid UTF-8, so it cannot be a client ID (lowercase letters, digits and '-')`,
      ),
      nextToFile: false,
      named: true,
    };
  }
  if (!name.endsWith('.xml')) return { action: 'ignore' };
  if (state === undefined) return { action: 'gone' };
  const bytes = rawName.length;
  if (bytes + LONGEST_REPORT_SUFFIX.length > NAME_MAX_BYTES) {
    return {
      action: 'refuse',
      name,
      generation: state.generation,
      problem: problem(
        'VIGIE_E_NAME_INVALID',
        `the file name is ${String(bytes)} bytes long, too long for a client ID (lowercase letters, digits and '-'); its report cannot be written next to it`,
      ),
      nextToFile: false,
      named: true,
    };
  }
  if (state.kind !== 'file') {
    return {
      action: 'refuse',
      name,
      generation: state.generation,
      problem: problem(
        'VIGIE_E_INPUT_UNREADABLE',
        `${name} is ${KIND_WORDS[state.kind]}: the config folder reads only plain files, as a bucket holds only objects`,
      ),
      nextToFile: true,
      named: false,
    };
  }
  if (state.links > 1n) {
    return {
      action: 'refuse',
      name,
      generation: state.generation,
      problem: problem(
        'VIGIE_E_INPUT_UNREADABLE',
        `${name} has ${String(state.links)} hard links: the config folder reads only files that are nowhere else; copy the file instead`,
      ),
      nextToFile: true,
      named: false,
    };
  }
  return { action: 'handle', generation: state.generation, size: state.size };
}
