/**
 * `Client` resources on local disk: what the cluster's API server keeps in production. One JSON
 * file per client under a folder, written whole (write, then rename), with a version that grows
 * on each change, so that the config function's optimistic checks behave as they do on the
 * cluster.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientResource } from '@vigie/config';
import type { ClientStore } from '@vigie/config-function';
import { TransientError } from '@vigie/config-function';

/** The local store of `Client` resources. */
export interface LocalClients extends ClientStore {
  /** Reads what an earlier run left; call once before use. */
  load(): Promise<void>;
  /** Every client, by name. */
  list(): readonly ClientResource[];
  /** Called after each change, with the client's name. */
  onChange(listener: (name: string) => void): () => void;
}

interface Stored {
  readonly resourceVersion: string;
  readonly resource: ClientResource;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Creates the store over a folder. */
export function createLocalClientStore(dir: string): LocalClients {
  const clients = new Map<string, Stored>();
  const listeners = new Set<(name: string) => void>();
  let version = 0;
  const notify = (name: string) => {
    for (const listener of listeners) listener(name);
  };
  const pathOf = (name: string) => {
    if (!NAME.test(name)) throw new Error(`not a client name: ${name}`);
    return join(dir, `${name}.json`);
  };
  const check = (name: string, resourceVersion: string | undefined) => {
    const current = clients.get(name);
    if (resourceVersion !== undefined && current?.resourceVersion !== resourceVersion) {
      throw new TransientError(`Client ${name} changed since it was read`);
    }
  };

  return {
    async load() {
      await mkdir(dir, { recursive: true });
      for (const file of await readdir(dir)) {
        if (!file.endsWith('.json')) continue;
        try {
          const stored = JSON.parse(await readFile(join(dir, file), 'utf8')) as Stored;
          clients.set(stored.resource.metadata.name, stored);
          version = Math.max(version, Number(stored.resourceVersion) || 0);
        } catch {
          // A file cut short by a crash: the config's next event writes it again.
        }
      }
    },
    list: () => [...clients.values()].map((s) => s.resource),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    lookup(name) {
      const stored = clients.get(name);
      return Promise.resolve(
        stored === undefined
          ? { exists: false as const }
          : {
              exists: true as const,
              source: stored.resource.spec.source,
              resourceVersion: stored.resourceVersion,
            },
      );
    },
    async apply(resource, resourceVersion) {
      const name = resource.metadata.name;
      check(name, resourceVersion);
      const stored: Stored = { resourceVersion: String(++version), resource };
      const path = pathOf(name);
      const temporary = `${path}.${randomUUID()}.tmp`;
      await writeFile(temporary, JSON.stringify(stored, null, 2));
      await rename(temporary, path);
      clients.set(name, stored);
      notify(name);
    },
    async remove(name, resourceVersion) {
      check(name, resourceVersion);
      if (!clients.has(name)) return;
      await rm(pathOf(name), { force: true });
      clients.delete(name);
      notify(name);
    },
  };
}
