/**
 * The production sources of the cluster directory: `Client` resources from the Kubernetes API,
 * config reports from the bucket, and the ingest token digests kept in step with them.
 */

import type { KubeConfig } from '@kubernetes/client-node';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import type { Storage } from '@google-cloud/storage';
import type { SecretReader } from '../ports.js';
import type { Sql } from '../storage/db.js';
import { syncIngestTokenDigests } from '../storage/alerts.js';
import type { StoredReport } from '../client-view.js';
import type { ClientObject } from './directory.js';

/** Lists every `Client` (the console needs `list` on `clients.vigie.dev`, nothing more). */
export function kubeClients(kubeConfig: KubeConfig): () => Promise<readonly ClientObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  return async () => {
    const list = await api.list<ClientObject & { apiVersion: string; kind: string }>(
      'vigie.dev/v1alpha1',
      'Client',
    );
    return list.items;
  };
}

const REPORT = /^([a-z0-9][-a-z0-9]*)\.xml\.report\.json$/;

/**
 * The newest report of each client file under `prefix` in the config bucket. Reports are read
 * again only when their generation changed.
 */
export function bucketReports(
  storage: Storage,
  bucket: string,
  prefix = 'client-configs/',
): () => Promise<ReadonlyMap<string, StoredReport>> {
  const seen = new Map<string, { generation: string; report: StoredReport }>();
  return async () => {
    const [files] = await storage.bucket(bucket).getFiles({ prefix, autoPaginate: true });
    const reports = new Map<string, StoredReport>();
    for (const file of files) {
      const name = REPORT.exec(file.name.slice(prefix.length))?.[1];
      if (name === undefined) continue;
      const generation = String(file.metadata.generation);
      let entry = seen.get(file.name);
      if (entry?.generation !== generation) {
        const [content] = await file.download();
        entry = { generation, report: JSON.parse(content.toString('utf8')) as StoredReport };
        seen.set(file.name, entry);
      }
      reports.set(name, entry.report);
    }
    return reports;
  };
}

/** Copies each client's ingest token digest from its status into the console's store. */
export async function syncIngestTokens(
  sql: Sql,
  clients: readonly ClientObject[],
): Promise<number> {
  const digests = new Map<string, string>();
  for (const client of clients) {
    const digest = client.status?.ingestTokenSha256;
    if (digest !== undefined && /^[0-9a-f]{64}$/.test(digest)) {
      digests.set(client.metadata.name, digest);
    }
  }
  await syncIngestTokenDigests(sql, digests);
  return digests.size;
}

/**
 * Webhook signing keys from the tenant's namespace (`vigie-<client>`), where the tenant keeps its
 * Secrets. The console needs `get` on those Secrets by name; see the console's README.
 */
export function kubeSecrets(kubeConfig: KubeConfig): SecretReader {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  return {
    async read(client, secret, key) {
      try {
        const object = await api.read<{
          apiVersion: string;
          kind: string;
          metadata: { name: string; namespace: string };
          data?: Record<string, string>;
        }>({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: secret, namespace: `vigie-${client}` },
        });
        const value = object.data?.[key];
        return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
      } catch (error) {
        if ((error as { code?: unknown }).code === 404) return undefined;
        throw error;
      }
    },
  };
}
