/**
 * Test support for the operator's integration tests: a real control plane with the Client CRD,
 * an admin client, Clients built from the examples, and polling helpers. Test-only.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientSpec } from '@vigie/config';
import { buildClientCrd, CLIENT_SCHEMA, parseClientConfig, toClientResource } from '@vigie/config';
import type { ControlPlane } from '@vigie/testenv';
import { installCrd, repoRoot, startControlPlane, toolsBinDir } from '@vigie/testenv';
import { KubeClient, hasStatus } from '../kube/client.js';
import type { Connection } from '../kube/connection.js';
import { fromKubeconfigFile } from '../kube/connection.js';
import type { CachedObject } from '../kube/informer.js';
import type { ResourceType } from '../kube/resources.js';
import { TYPES, collectionPath, objectPath } from '../kube/resources.js';

/** A control plane with the CRD installed and an admin client. */
export interface TestCluster {
  readonly cp: ControlPlane;
  readonly connection: Connection;
  readonly admin: Admin;
  readonly stop: () => Promise<void>;
}

/** Where the test cluster's `kubernetes` EndpointSlice says the API server is, at first. */
export const TEST_API_SERVER = { addresses: ['192.0.2.10'], port: 6443 } as const;

/**
 * Starts a control plane with `nodes` kwok nodes, the Client CRD, and the API server's
 * `kubernetes` EndpointSlice as a real cluster has it (the test API server listens on loopback,
 * an address it does not publish).
 */
export async function startTestCluster(nodes = 2): Promise<TestCluster> {
  const cp = await startControlPlane({ binDir: toolsBinDir(process.env), nodes });
  try {
    await installCrd(cp.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
    const connection = fromKubeconfigFile(cp.kubeconfigPath);
    const admin = new Admin(new KubeClient(connection));
    await admin.apiServerSlice(TEST_API_SERVER.addresses, TEST_API_SERVER.port);
    return {
      cp,
      connection,
      admin,
      stop: async () => {
        admin.client.close();
        await cp.stop();
      },
    };
  } catch (error) {
    await cp.stop();
    throw error;
  }
}

/** Cluster-admin reads and writes, as a person with kubectl would make them. */
export class Admin {
  constructor(readonly client: KubeClient) {}

  async get(
    type: ResourceType,
    name: string,
    namespace?: string,
  ): Promise<CachedObject | undefined> {
    try {
      return await this.client.request<CachedObject>(objectPath(type, name, namespace));
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async list(
    type: ResourceType,
    namespace?: string,
    labelSelector?: string,
  ): Promise<CachedObject[]> {
    const list = await this.client.request<{ items: CachedObject[] }>(
      collectionPath(type, namespace),
      {
        query: { labelSelector },
      },
    );
    return list.items;
  }

  /** Server-side apply as the field manager `kubectl`. */
  apply(object: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
  }): Promise<CachedObject> {
    const type = Object.values(TYPES).find(
      (t) =>
        t.kind === object.kind &&
        object.apiVersion === (t.group === '' ? t.version : `${t.group}/${t.version}`),
    );
    const [group, version] = object.apiVersion.includes('/')
      ? object.apiVersion.split('/')
      : ['', object.apiVersion];
    // Kinds the operator does not use (RBAC, ServiceAccounts) follow the regular plural.
    const resolved = type ?? {
      group: group ?? '',
      version: version ?? 'v1',
      kind: object.kind,
      plural: `${object.kind.toLowerCase()}s`,
      namespaced: object.metadata.namespace !== undefined,
    };
    return this.client.request<CachedObject>(
      objectPath(resolved, object.metadata.name, object.metadata.namespace),
      {
        method: 'PATCH',
        query: { fieldManager: 'kubectl', force: 'true' },
        contentType: 'application/apply-patch+yaml',
        body: object,
      },
    );
  }

  /** Writes the `kubernetes` EndpointSlice of `default`, as the API server keeps it. */
  async apiServerSlice(addresses: readonly string[], port: number): Promise<void> {
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'kubernetes' },
      },
      addressType: 'IPv4',
      endpoints: addresses.map((address) => ({ addresses: [address] })),
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    };
    await this.apply(slice);
  }

  /** A JSON merge patch, as `kubectl patch --type merge` sends. */
  patch(
    type: ResourceType,
    name: string,
    patch: object,
    namespace?: string,
  ): Promise<CachedObject> {
    return this.client.request<CachedObject>(objectPath(type, name, namespace), {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: patch,
    });
  }

  async delete(type: ResourceType, name: string, namespace?: string): Promise<void> {
    try {
      await this.client.request(objectPath(type, name, namespace), { method: 'DELETE' });
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }

  /** The named Client's condition of `type`. */
  async condition(
    client: string,
    type: string,
  ): Promise<
    { status: string; reason: string; message: string; observedGeneration?: number } | undefined
  > {
    const object = await this.get(TYPES.Client, client);
    const status = object?.status as
      | {
          conditions?: {
            type: string;
            status: string;
            reason: string;
            message: string;
            observedGeneration?: number;
          }[];
        }
      | undefined;
    return status?.conditions?.find((c) => c.type === type);
  }
}

/** The spec of an example config, for tests to vary. */
export function exampleSpec(example: string): ClientSpec {
  const result = parseClientConfig(readFileSync(join(repoRoot(), 'examples', `${example}.xml`)));
  if (!result.ok) throw new Error(`examples/${example}.xml is invalid`);
  return toClientResource(result.config).spec;
}

/** A Client resource named `name` with `spec`. */
export function clientResource(
  name: string,
  spec: ClientSpec,
): {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: ClientSpec;
} {
  return { apiVersion: 'vigie.dev/v1alpha1', kind: 'Client', metadata: { name }, spec };
}

/** Polls `check` until it returns a value other than undefined or false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
      );
    }
    await sleep(200);
  }
}
