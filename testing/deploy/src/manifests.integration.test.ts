/**
 * Every manifest in deploy/ against a real API server: the third-party CRDs they use are
 * installed first (testing/deploy/crds), then each object is applied with server-side dry-run,
 * so the API server's own validation, defaulting and admission judge it. Then the restricted Pod
 * Security Standard, enforced by the API server, admits every workload's pods: Vigie's own
 * Deployments and the detector Deployments the operator makes for a client.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
} from '@kubernetes/client-node';
import { parseClientConfig, toClientResource } from '@vigie/config';
import type { KubeObject } from '@vigie/operator';
import { DEFAULT_SETTINGS, desired } from '@vigie/operator';
import type { ControlPlane } from '@vigie/testenv';
import { installCrd, repoRoot, startControlPlane, toolsBinDir } from '@vigie/testenv';
import { parseAllDocuments } from 'yaml';

const root = repoRoot();
/** The folders of manifests users apply, and every YAML file in them. */
const MANIFEST_DIRS = [
  'deploy/crd',
  'deploy/operator',
  'deploy/console',
  'deploy/rbac',
  'deploy/monitoring/gmp',
  'deploy/monitoring/prometheus-operator',
  'deploy/monitoring/grafana',
  'deploy/gke',
];

interface Manifest {
  readonly file: string;
  readonly object: KubernetesObject & { spec?: Record<string, unknown> };
}

function manifests(): Manifest[] {
  const found: Manifest[] = [];
  for (const dir of MANIFEST_DIRS) {
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (!name.endsWith('.yaml') || name === 'kustomization.yaml') continue;
      for (const doc of parseAllDocuments(readFileSync(join(root, dir, name), 'utf8'))) {
        const object = doc.toJS() as Manifest['object'] | null;
        if (object) found.push({ file: `${dir}/${name}`, object });
      }
    }
  }
  return found;
}

let cp: ControlPlane;
let api: KubernetesObjectApi;

const apply = (object: object, dryRun?: 'All') =>
  api.patch(object, undefined, dryRun, 'vigie-test', true, PatchStrategy.ServerSideApply);

before(async () => {
  cp = await startControlPlane({ binDir: toolsBinDir(process.env), controllers: false });
  const kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfig);
  api = KubernetesObjectApi.makeApiClient(kc);
  const crds = join(root, 'testing/deploy/crds');
  for (const name of readdirSync(crds).filter((n) => n.endsWith('.yaml'))) {
    // Typed by the client library, which would otherwise drop the `x-kubernetes-*` keys.
    for (const crd of loadAllYaml(readFileSync(join(crds, name), 'utf8')) as object[]) {
      await installCrd(cp.kubeconfig, crd);
    }
  }
  // CRDs and namespaces for real, so that the dry-run of what goes in them can be judged.
  for (const { object } of manifests()) {
    if (object.kind === 'CustomResourceDefinition') await installCrd(cp.kubeconfig, object);
    if (object.kind === 'Namespace') await apply(object);
  }
  // Service accounts for real too: admission looks pods' service accounts up.
  for (const { object } of manifests()) {
    if (object.kind === 'ServiceAccount') await apply(object);
  }
});

after(async () => {
  await cp.stop();
});

/** A Pod made from a workload's template, as its controller would make it. */
function podOf(workload: { metadata?: { namespace?: string }; spec?: unknown }, name: string) {
  const template = (workload.spec as { template: { metadata?: object; spec: object } }).template;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template.metadata, name, namespace: workload.metadata?.namespace },
    spec: template.spec,
  };
}

/** An object the operator would own, applied here without its (absent) owner. */
function withoutOwner(object: KubeObject): KubeObject {
  const metadata = { ...object.metadata };
  delete metadata.ownerReferences;
  return { ...object, metadata };
}

/** Kinds whose CRDs the project does not keep (GKE's own APIs): they are built, not applied. */
const UNCHECKED_KINDS = ['GCPBackendPolicy', 'HealthCheckPolicy'];

/** An overlay built with kustomize (kubectl's), as `kubectl apply -k` would send it. */
function buildOverlay(overlay: string): KubernetesObject[] {
  const kubectl = join(toolsBinDir(process.env), 'kubectl');
  const built = execFileSync(kubectl, ['kustomize', join(root, 'deploy/overlays', overlay)], {
    encoding: 'utf8',
  });
  return parseAllDocuments(built)
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => o !== null);
}

/** Objects each overlay must carry, as KIND/NAME, beyond Vigie's own components. */
const OVERLAY_OBJECTS: Record<string, readonly string[]> = {
  dev: [
    'Deployment/vigie-grafana',
    'Service/vigie-grafana',
    'NetworkPolicy/vigie-grafana',
    'ConfigMap/vigie-grafana-datasources',
    'ConfigMap/vigie-grafana-dashboard-provider',
    'Ingress/vigie',
  ],
  gke: [
    'Deployment/vigie-grafana',
    'Service/vigie-grafana',
    'NetworkPolicy/vigie-grafana',
    'ConfigMap/vigie-grafana-datasources',
    'ConfigMap/vigie-grafana-dashboard-provider',
    'PersistentVolumeClaim/vigie-grafana',
    'CronJob/vigie-grafana-datasource-syncer',
    'HTTPRoute/vigie-grafana',
  ],
};

/** What each overlay leaves unapplied (UNCHECKED_KINDS), as KIND/NAME. */
const OVERLAY_UNCHECKED: Record<string, readonly string[]> = {
  dev: [],
  gke: [
    'GCPBackendPolicy/vigie-console',
    'GCPBackendPolicy/vigie-grafana',
    'HealthCheckPolicy/vigie-grafana',
  ],
};

describe('deploy/ against a real API server', () => {
  for (const overlay of ['dev', 'gke']) {
    it(`the ${overlay} overlay builds with kustomize, and every object passes a dry-run apply`, async () => {
      const objects = buildOverlay(overlay);
      const names = new Set(objects.map((o) => `${String(o.kind)}/${String(o.metadata?.name)}`));
      for (const expected of ['Deployment/vigie-console', ...(OVERLAY_OBJECTS[overlay] ?? [])]) {
        assert.ok(names.has(expected), `the ${overlay} overlay has no ${expected}`);
      }
      const unchecked: string[] = [];
      for (const object of objects) {
        if (UNCHECKED_KINDS.includes(object.kind ?? '')) {
          unchecked.push(`${String(object.kind)}/${String(object.metadata?.name)}`);
          continue;
        }
        await apply(object, 'All').catch((error: unknown) => {
          throw new Error(
            `${overlay}: ${String(object.kind)} ${String(object.metadata?.name)} refused: ${String((error as { body?: unknown }).body ?? error)}`,
          );
        });
      }
      assert.deepEqual(unchecked.sort(), OVERLAY_UNCHECKED[overlay]);
    });
  }

  it('every manifest passes a server-side dry-run apply', async () => {
    const all = manifests();
    assert.ok(all.length >= 15, `found only ${String(all.length)} objects`);
    const kinds = new Set(all.map((m) => m.object.kind));
    for (const kind of [
      'Deployment',
      'ClusterRole',
      'PodMonitoring',
      'ClusterRules',
      'PodMonitor',
      'PrometheusRule',
    ]) {
      assert.ok(kinds.has(kind), `no ${kind} in deploy/`);
    }
    for (const { file, object } of all) {
      if (UNCHECKED_KINDS.includes(object.kind ?? '')) continue;
      await apply(object, 'All').catch((error: unknown) => {
        throw new Error(
          `${file}: ${String(object.kind)} ${String(object.metadata?.name)} refused: ${String((error as { body?: unknown }).body ?? error)}`,
        );
      });
    }
  });

  it("admits every workload's pods under the restricted Pod Security Standard", async () => {
    const workloads: { what: string; object: KubeObject | Manifest['object'] }[] = manifests()
      .filter((m) => m.object.kind === 'Deployment')
      .map((m) => ({ what: `${m.file}: ${String(m.object.metadata?.name)}`, object: m.object }));
    // The detectors the operator makes, in a tenant namespace it also makes (restricted).
    const config = parseClientConfig(readFileSync(join(root, 'examples/full-store.xml')));
    assert.ok(config.ok);
    const resource = toClientResource(config.config);
    const objects = desired(
      {
        metadata: { name: resource.metadata.name, uid: '00000000-0000-4000-8000-000000000001' },
        spec: resource.spec,
      },
      DEFAULT_SETTINGS,
    );
    const namespace = objects.find((o) => o.kind === 'Namespace');
    assert.ok(namespace);
    await apply(withoutOwner(namespace));
    for (const object of objects.filter((o) => o.kind === 'ServiceAccount')) {
      await apply(withoutOwner(object));
    }
    for (const object of objects.filter((o) => o.kind === 'Deployment')) {
      workloads.push({ what: `operator: ${object.metadata.name}`, object });
    }
    // The overlays' own workloads (Grafana as patched, Google's data source syncer), with
    // their service accounts.
    for (const overlay of ['dev', 'gke']) {
      const built = buildOverlay(overlay);
      for (const object of built.filter((o) => o.kind === 'ServiceAccount')) await apply(object);
      for (const object of built) {
        if (object.kind === 'CronJob') {
          // The Job it makes, whose pods are what admission judges.
          const job: KubeObject = {
            apiVersion: 'batch/v1',
            kind: 'Job',
            metadata: {
              name: object.metadata?.name ?? '',
              namespace: object.metadata?.namespace ?? '',
            },
            spec: (object as { spec: { jobTemplate: { spec: Record<string, unknown> } } }).spec
              .jobTemplate.spec,
          };
          workloads.push({
            what: `${overlay}: CronJob ${String(object.metadata?.name)}`,
            object: job,
          });
        } else if (object.kind === 'Deployment') {
          workloads.push({ what: `${overlay}: ${String(object.metadata?.name)}`, object });
        }
      }
    }
    assert.ok(workloads.length >= 3);
    for (const { what, object } of workloads) {
      const namespaceName = object.metadata?.namespace ?? '';
      const labels = (
        await api.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespaceName } })
      ).metadata?.labels;
      assert.equal(
        labels?.['pod-security.kubernetes.io/enforce'],
        'restricted',
        `${what} runs in a restricted namespace`,
      );
      const pod = podOf(object, `dry-run-${String(object.metadata?.name)}`);
      await api.create(pod as KubernetesObject, undefined, 'All').catch((error: unknown) => {
        throw new Error(
          `${what}: its pods are refused: ${String((error as { body?: unknown }).body ?? error)}`,
        );
      });
    }
  });

  it('refuses a pod that breaks the restricted standard, so the check above means something', async () => {
    const [first] = manifests().filter((m) => m.object.kind === 'Deployment');
    assert.ok(first);
    const pod = podOf(first.object, 'dry-run-privileged') as {
      spec: { containers: { securityContext?: object }[] };
    };
    pod.spec.containers = pod.spec.containers.map((c) => ({
      ...c,
      securityContext: { privileged: true },
    }));
    await assert.rejects(
      api.create(pod as never, undefined, 'All'),
      /violates PodSecurity .*restricted/,
    );
  });
});
