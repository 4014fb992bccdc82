import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { ObjectStore } from '../ports.js';

/** The bucket name that local mode records on `Client` resources. */
export const LOCAL_BUCKET = 'local';

/**
 * A folder playing the bucket: object `client-configs/acme.xml` is the file
 * `<root>/client-configs/acme.xml`, and its generation is the file's change time in
 * nanoseconds, which grows with every change.
 */
export function createFolderObjectStore(root: string): ObjectStore {
  const pathOf = (name: string) => {
    const path = join(root, name);
    const rel = relative(root, path);
    if (rel.startsWith('..') || rel.startsWith(sep))
      throw new Error(`object name escapes the folder: ${name}`);
    return path;
  };
  return {
    async read(_bucket, name, generation) {
      const path = pathOf(name);
      if ((await generationOf(path)) !== generation) return undefined;
      try {
        return new Uint8Array(await readFile(path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    currentGeneration: (_bucket, name) => generationOf(pathOf(name)),
    async write(_bucket, name, content) {
      const path = pathOf(name);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so that readers never see half a report.
      const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
      await writeFile(temporary, content);
      await rename(temporary, path);
    },
    async remove(_bucket, name) {
      await rm(pathOf(name), { force: true });
    },
  };
}

/**
 * A file's generation: its change time in nanoseconds. Unlike the modification time, nobody can
 * set it back (`cp -p`, `touch -d`), so a restored file still counts as newer.
 */
export async function generationOf(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path, { bigint: true });
    return info.isFile() ? String(info.ctimeNs) : undefined;
  } catch {
    return undefined;
  }
}
