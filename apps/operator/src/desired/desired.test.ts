import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseClientConfig, toClientResource } from '@vigie/config';
import { repoRoot } from '@vigie/testenv';
import type { ClientInput, KubeObject } from './desired.js';
import { desired, ROLLOUT_ANNOTATION } from './desired.js';
import { multiplyQuantity } from './quantity.js';
import { DEFAULT_SETTINGS } from './settings.js';

function client(example: string, edit: (xml: string) => string = (x) => x): ClientInput {
  const result = parseClientConfig(
    edit(readFileSync(join(repoRoot(), 'examples', example), 'utf8')),
  );
  assert.ok(result.ok, JSON.stringify(result));
  const resource = toClientResource(result.config);
  return {
    metadata: { name: resource.metadata.name, uid: '6b7f6c5e-0000-4000-8000-000000000001' },
    spec: resource.spec,
  };
}

const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe('desired', () => {
  it('gives each client its namespace, limits, policies and one Deployment, ConfigMap and Service per shard', () => {
    const objects = desired(client('resources-gpu.xml'), DEFAULT_SETTINGS);
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      [
        'Namespace/vigie-mall-anchor',
        'ResourceQuota/vigie-quota',
        'LimitRange/vigie-limits',
        'ServiceAccount/vigie-detector',
        'ClusterRole/vigie-detector-mall-anchor',
        'ClusterRoleBinding/vigie-detector-mall-anchor',
        'NetworkPolicy/default-deny',
        'NetworkPolicy/detectors',
        'ConfigMap/detector-shard-0',
        'Deployment/detector-shard-0',
        'Service/detector-shard-0',
        'ConfigMap/detector-shard-1',
        'Deployment/detector-shard-1',
        'Service/detector-shard-1',
      ],
    );
    for (const o of objects) {
      assert.equal(o.metadata.ownerReferences?.length, 1, `${o.kind} is owned by the Client`);
      if (!['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) {
        assert.equal(o.metadata.namespace, 'vigie-mall-anchor');
      }
    }
    // The detectors may write this Client's status, and no other.
    assert.deepEqual(find(objects, 'ClusterRole', 'vigie-detector-mall-anchor')?.rules, [
      {
        apiGroups: ['vigie.dev'],
        resources: ['clients/status'],
        resourceNames: ['mall-anchor'],
        verbs: ['get', 'patch'],
      },
    ]);
  });

  it('lets the console read the webhook signing Secrets by name, and only for clients with webhooks', () => {
    const objects = desired(client('alerts.xml'), DEFAULT_SETTINGS);
    assert.deepEqual(find(objects, 'Role', 'vigie-console-webhooks')?.rules, [
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['soc-webhook-key', 'vigie-webhook-key'],
        verbs: ['get'],
      },
    ]);
    assert.deepEqual(find(objects, 'RoleBinding', 'vigie-console-webhooks')?.subjects, [
      { kind: 'ServiceAccount', name: 'vigie-console', namespace: 'vigie-system' },
    ]);
    const none = desired(client('minimal.xml'), DEFAULT_SETTINGS);
    assert.equal(
      none.some((o) => o.kind === 'Role' || o.kind === 'RoleBinding'),
      false,
    );
  });

  it('asks for GPUs only for GPU clients', () => {
    const gpu = JSON.stringify(
      find(
        desired(client('resources-gpu.xml'), DEFAULT_SETTINGS),
        'Deployment',
        'detector-shard-0',
      ),
    );
    assert.match(gpu, /nvidia\.com\/gpu/);
    const cpu = JSON.stringify(
      find(desired(client('minimal.xml'), DEFAULT_SETTINGS), 'Deployment', 'detector-shard-0'),
    );
    assert.doesNotMatch(cpu, /nvidia/);
  });

  it('mounts camera credentials from the named Secrets, never inlines them', () => {
    const deployment = JSON.stringify(
      find(desired(client('full-store.xml'), DEFAULT_SETTINGS), 'Deployment', 'detector-shard-0'),
    );
    assert.match(deployment, /"secretName":"acme-cameras"/);
  });

  it('changes the pod template only when workers cannot reload the change', () => {
    const template = (edit: (x: string) => string) =>
      JSON.stringify(
        find(desired(client('zones.xml', edit), DEFAULT_SETTINGS), 'Deployment', 'detector-shard-0')
          ?.spec,
      );
    const base = template((x) => x);
    assert.equal(
      template((x) => x.replace('0.05,0.10 0.35,0.10', '0.05,0.12 0.35,0.12')),
      base,
    );
    assert.notEqual(
      template((x) =>
        x.replace(
          'rtsps://cams.zones-demo.example/front',
          'rtsps://cams.zones-demo.example/front2',
        ),
      ),
      base,
    );
    assert.match(base, new RegExp(ROLLOUT_ANNOTATION));
  });

  it('gives each detector one inference thread per CPU it requests', () => {
    const threads = (example: string, edit?: (xml: string) => string): unknown => {
      const deployment = find(
        desired(client(example, edit), DEFAULT_SETTINGS),
        'Deployment',
        'detector-shard-0',
      );
      const container = (
        deployment?.spec as {
          template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
        }
      ).template.spec.containers[0];
      return container?.env.find((e) => e.name === 'VIGIE_INFERENCE_THREADS')?.value;
    };
    assert.equal(threads('minimal.xml'), '1');
    assert.equal(
      threads('minimal.xml', (x) => x.replace('</cameras>', '</cameras><resources cpu="2500m"/>')),
      '3',
    );
  });

  it('caps the outbox below the scratch volume it lives on, and gives a stopping detector time to deliver it', () => {
    const pod = (scratch: number) =>
      (
        find(
          desired(client('minimal.xml'), { ...DEFAULT_SETTINGS, detectorScratchMiB: scratch }),
          'Deployment',
          'detector-shard-0',
        )?.spec as {
          template: {
            spec: {
              terminationGracePeriodSeconds: number;
              containers: { args: string[] }[];
              volumes: { name: string; emptyDir?: { sizeLimit: string } }[];
            };
          };
        }
      ).template.spec;
    for (const scratch of [256, 64]) {
      const spec = pod(scratch);
      const args = spec.containers[0]?.args ?? [];
      const flag = (name: string) => Number(args[args.indexOf(name) + 1]);
      assert.equal(
        spec.volumes.find((v) => v.name === 'tmp')?.emptyDir?.sizeLimit,
        `${String(scratch)}Mi`,
      );
      assert.equal(flag('--outbox-mib'), scratch / 2);
      assert.ok(flag('--drain-seconds') < spec.terminationGracePeriodSeconds);
    }
  });

  it('is deterministic', () => {
    assert.deepEqual(
      desired(client('full-store.xml'), DEFAULT_SETTINGS),
      desired(client('full-store.xml'), DEFAULT_SETTINGS),
    );
  });
});

describe('multiplyQuantity', () => {
  it('keeps units and avoids floating-point noise', () => {
    assert.equal(multiplyQuantity('500m', 3), '1500m');
    assert.equal(multiplyQuantity('1Gi', 4), '4Gi');
    assert.equal(multiplyQuantity('0.1', 3), '0.3');
    assert.equal(multiplyQuantity('2', 2), '4');
    assert.throws(() => multiplyQuantity('lots', 2));
  });
});
