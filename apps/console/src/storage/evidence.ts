/**
 * Evidence bytes: a folder in `vigie up`, the bucket in production. Keys are built here from
 * checked IDs only, so no request can name a path of its own.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import type { EvidenceStore } from '../ports.js';

const KEY =
  /^[a-z0-9][a-z0-9-]{0,62}\/[A-Za-z0-9_-]{1,128}\/(snapshot|clip)-[0-9a-f]{64}\.(jpg|mp4)$/;

/**
 * The key of an alert's evidence, `<client>/<alert>/snapshot-<sha256>.jpg` or `…/clip-….mp4`.
 * The digest in the name means that a later post of the same alert with other bytes writes
 * another object, which nothing refers to, and never replaces the evidence that was stored.
 */
export function evidenceKey(
  client: string,
  alertId: string,
  kind: 'snapshot' | 'clip',
  sha256: string,
): string {
  const key = `${client}/${alertId}/${kind}-${sha256}.${kind === 'snapshot' ? 'jpg' : 'mp4'}`;
  if (!KEY.test(key)) throw new Error(`not an evidence key: ${key}`);
  return key;
}

/** Evidence in a folder; each file is written whole (write, then rename). */
export function createFolderEvidenceStore(root: string): EvidenceStore {
  const pathOf = (key: string) => {
    if (!KEY.test(key)) throw new Error(`not an evidence key: ${key}`);
    const path = join(root, key);
    const rel = relative(root, path);
    if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`key escapes: ${key}`);
    return path;
  };
  return {
    async put(key, data) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, data);
      await rename(temporary, path);
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async delete(key) {
      const path = pathOf(key);
      await rm(path, { force: true });
      // The alert's folder goes with its last file; one still in use is left alone.
      await rmdir(dirname(path)).catch(() => undefined);
    },
  };
}

/** Evidence in a Cloud Storage bucket, under a prefix. */
export function createGcsEvidenceStore(
  storage: Storage,
  bucket: string,
  prefix = 'evidence/',
): EvidenceStore {
  const file = (key: string) => {
    if (!KEY.test(key)) throw new Error(`not an evidence key: ${key}`);
    return storage.bucket(bucket).file(`${prefix}${key}`);
  };
  return {
    async put(key, data, contentType) {
      await file(key).save(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
        contentType,
        resumable: false,
      });
    },
    async get(key) {
      try {
        const [content] = await file(key).download();
        return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
      } catch (error) {
        if ((error as { code?: unknown }).code === 404) return undefined;
        throw error;
      }
    },
    async delete(key) {
      await file(key).delete({ ignoreNotFound: true });
    },
  };
}
