import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join, relative, sep } from 'node:path';
import { DEFAULT_POLICY } from '../decide.js';
import type { ObjectStore } from '../ports.js';

/** The bucket name that local mode records on `Client` resources. */
export const LOCAL_BUCKET = 'local';

/** Options of {@link createFolderObjectStore}. */
export interface FolderStoreOptions {
  /** The most bytes a read returns is this plus one, whatever the file's size (default 1 MiB). */
  readonly maxBytes?: number;
}

/** The folder store, with the record of what it wrote itself. */
export interface FolderObjectStore extends ObjectStore {
  /**
   * Every object this store wrote since it was created and has not removed since, by name, with
   * its content. Whoever can drop a config into the folder can also drop a file named like a
   * report, so what shows reports reads this record, never the files.
   */
  readonly written: () => ReadonlyMap<string, string>;
}

/** Opens for reading without following a link, and without waiting on a FIFO's writer. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * A folder playing the bucket: object `client-configs/acme.xml` is the file
 * `<root>/client-configs/acme.xml`, and its generation is the file's change time in
 * nanoseconds, which grows with every change.
 *
 * Like a bucket, it holds only plain objects: it never follows a symbolic link, never reads a
 * FIFO, a device or a directory, and never reads more than the size limit plus one byte.
 */
export function createFolderObjectStore(
  root: string,
  options: FolderStoreOptions = {},
): FolderObjectStore {
  const maxBytes = options.maxBytes ?? DEFAULT_POLICY.maxBytes;
  const written = new Map<string, string>();
  const pathOf = (name: string) => {
    const path = join(root, name);
    const rel = relative(root, path);
    if (rel.startsWith('..') || rel.startsWith(sep))
      throw new Error(`object name escapes the folder: ${name}`);
    return path;
  };
  return {
    async read(_bucket, name, generation) {
      let handle: FileHandle;
      try {
        handle = await open(pathOf(name), OPEN_FLAGS);
      } catch (error) {
        // ELOOP: a symbolic link; ENXIO: a socket. Neither is an object, like a missing file.
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENXIO') return undefined;
        throw error;
      }
      try {
        // The opened file itself is checked, so nothing can be swapped in after the check.
        const info = await handle.stat({ bigint: true });
        if (!info.isFile() || String(info.ctimeNs) !== generation) return undefined;
        return await readAtMost(handle, Math.min(Number(info.size), maxBytes) + 1);
      } finally {
        await handle.close();
      }
    },
    currentGeneration: (_bucket, name) => generationOf(pathOf(name)),
    async write(_bucket, name, content) {
      const path = pathOf(name);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so that readers never see half a report. `wx` creates a new file and
      // follows no link; rename replaces a link or a FIFO at the path rather than writing into it.
      const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
      await writeFile(temporary, content, { flag: 'wx' });
      try {
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      written.set(name, content);
    },
    async remove(_bucket, name) {
      written.delete(name);
      const path = pathOf(name);
      try {
        // A directory at that name is no object, so there is nothing to remove.
        if ((await lstat(path)).isDirectory()) return;
        await unlink(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
    written: () => written,
  };
}

/** Reads from the start of the file, stopping at `limit` bytes. */
async function readAtMost(handle: FileHandle, limit: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(limit);
  let total = 0;
  while (total < limit) {
    const { bytesRead } = await handle.read(buffer, total, limit - total, total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return buffer.subarray(0, total);
}

/**
 * The generation of whatever is at `path`, without following a link: its change time in
 * nanoseconds, or undefined when nothing is there. Unlike the modification time, nobody can set
 * it back (`cp -p`, `touch -d`), so a restored file still counts as newer. A link or a special
 * file has a generation too: it is an object that exists but cannot be read, so its `Client` is
 * kept, as for any broken file, until the name is really gone.
 */
export async function generationOf(path: string): Promise<string | undefined> {
  try {
    return String((await lstat(path, { bigint: true })).ctimeNs);
  } catch {
    return undefined;
  }
}
