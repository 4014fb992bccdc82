import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { parseClientConfig, toClientResource } from '@vigie/config';
import type { ControlPlane } from '@vigie/testenv';
import { repoRoot } from '@vigie/testenv';
import { parse } from 'yaml';
import { FINALIZED } from './events.js';
import { createHandler } from './handler.js';
import { createKubeClientStore } from './kube-store.js';
import { startClientCluster } from './test-cluster.js';

let cp: ControlPlane;
let functionIdentity: KubeConfig;

before(async () => {
  const cluster = await startClientCluster();
  cp = cluster.controlPlane;
  const apply = cluster.apply;
  await apply(
    parse(readFileSync(join(repoRoot(), 'deploy/rbac/config-function.yaml'), 'utf8')) as object,
  );
  await apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'vigie-config-function' },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'vigie-config-function',
    },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'vigie-test-user-0' }],
  });
  functionIdentity = new KubeConfig();
  functionIdentity.loadFromFile(await cp.kubeconfigFor('user-0'));
});

after(async () => {
  await cp.stop();
});

describe("the config function's RBAC", () => {
  it('is enough to apply, read and delete Clients', async () => {
    const store = createKubeClientStore(() => functionIdentity);
    const result = parseClientConfig(readFileSync(join(repoRoot(), 'examples/minimal.xml')));
    assert.ok(result.ok);
    const source = { bucket: 'b', object: 'client-configs/corner-shop.xml', generation: '1' };
    for (let i = 0; i < 50; i++) {
      try {
        await store.apply(toClientResource(result.config, source));
        break;
      } catch (error) {
        // The CRD may still be getting established.
        if (i === 49) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const found = await store.lookup('corner-shop');
    assert.ok(found.exists);
    assert.deepEqual(found.source, source);
    await store.remove('corner-shop');
    assert.deepEqual(await store.lookup('corner-shop'), { exists: false });
  });

  it('gives nothing else: no Secrets, no listing Clients, no namespaces', async () => {
    const core = functionIdentity.makeApiClient(CoreV1Api);
    await assert.rejects(
      core.listSecretForAllNamespaces(),
      (e: unknown) => (e as { code?: number }).code === 403,
    );
    await assert.rejects(
      core.listNamespace(),
      (e: unknown) => (e as { code?: number }).code === 403,
    );
    const objects = KubernetesObjectApi.makeApiClient(functionIdentity);
    await assert.rejects(
      objects.list('vigie.dev/v1alpha1', 'Client'),
      (e: unknown) => (e as { code?: number }).code === 403,
    );
  });

  it('turns a refusal into a report, not endless retries', async () => {
    const stranger = new KubeConfig();
    stranger.loadFromFile(await cp.kubeconfigFor('user-1'));
    const written = new Map<string, string>();
    const bytes = readFileSync(join(repoRoot(), 'examples/minimal.xml'));
    const handle = createHandler({
      objects: {
        read: () => Promise.resolve(new Uint8Array(bytes)),
        currentGeneration: () => Promise.resolve('5'),
        write: (_bucket, name, content) => {
          written.set(name, content);
          return Promise.resolve();
        },
        remove: () => Promise.resolve(),
      },
      clients: createKubeClientStore(() => stranger),
      log: () => undefined,
    });
    const outcome = await handle({
      type: FINALIZED,
      id: '1',
      time: new Date().toISOString(),
      data: { bucket: 'b', name: 'client-configs/corner-shop.xml', generation: '5', size: '600' },
    });
    assert.equal(outcome.result, 'rejected');
    assert.match(
      written.get('client-configs/corner-shop.xml.report.txt') ?? '',
      /VIGIE_E_INTERNAL .*forbidden/i,
    );
  });
});
