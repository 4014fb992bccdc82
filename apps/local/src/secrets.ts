/**
 * Secrets as files, the way Kubernetes mounts them: `<root>/<client>/<secret>/<key>`. Camera
 * credentials, webhook signing keys and each client's ingest token live there in `vigie up`.
 */

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretReader } from '@vigie/console';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const KEY = /^[-._a-zA-Z0-9]+$/;

/** The folder of a client's Secrets. */
export function clientSecretsDir(root: string, client: string): string {
  if (!NAME.test(client)) throw new Error(`not a client name: ${client}`);
  return join(root, client);
}

/** Reads Secrets from the folder. */
export function createFolderSecretReader(root: string): SecretReader {
  return {
    async read(client, secret, key) {
      if (!NAME.test(client) || !NAME.test(secret) || !KEY.test(key)) return undefined;
      try {
        return (await readFile(join(root, client, secret, key), 'utf8')).trim();
      } catch {
        return undefined;
      }
    },
  };
}

/** The Secret holding a client's ingest token, as the operator names it. */
export const INGEST_TOKEN_SECRET = 'vigie-ingest-token';

/** The path of a client's ingest token file. */
export function ingestTokenPath(root: string, client: string): string {
  return join(clientSecretsDir(root, client), INGEST_TOKEN_SECRET, 'token');
}

/**
 * A client's ingest token, made once with a random value and kept (as the operator's Secret
 * is), readable by this user only.
 */
export async function ensureIngestToken(root: string, client: string): Promise<string> {
  const path = ingestTokenPath(root, client);
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (token.length >= 32) return token;
  } catch {
    // Made below.
  }
  await mkdir(join(clientSecretsDir(root, client), INGEST_TOKEN_SECRET), {
    recursive: true,
    mode: 0o700,
  });
  const token = randomBytes(32).toString('hex');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return token;
}
