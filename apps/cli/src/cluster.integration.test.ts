import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  ApiException,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { repoRoot, startControlPlane, toolsBinDir, type ControlPlane } from '@vigie/testenv';

const root = repoRoot();
const exec = promisify(execFile);
const FIELD_MANAGER = 'vigie-test';

async function vigie(...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, [join(root, 'apps/cli/bin/vigie.js'), ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

let cp: ControlPlane;
let api: KubernetesObjectApi;

async function apply<T extends KubernetesObject>(object: T): Promise<T> {
  return api.patch(
    object,
    undefined,
    undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
}

before(async () => {
  cp = await startControlPlane({ binDir: toolsBinDir(process.env), nodes: 1 });
  const kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfig);
  api = KubernetesObjectApi.makeApiClient(kc);
});

after(async () => {
  await cp.stop();
});

describe('the Client CRD on a real API server', () => {
  it('is accepted and becomes Established', async () => {
    const crd = parse(await vigie('crd')) as KubernetesObject;
    await apply(crd);
    for (let i = 0; i < 100; i++) {
      const current = await api.read<
        KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } }
      >(crd as KubernetesObject & { metadata: { name: string } });
      const established =
        current.status?.conditions?.find((c) => c.type === 'Established')?.status === 'True';
      const structural = current.status?.conditions?.find((c) => c.type === 'NonStructuralSchema');
      assert.equal(structural, undefined, 'the schema must be structural');
      if (established) return;
      await sleep(100);
    }
    assert.fail('the CRD never became Established');
  });

  it('takes the rendered Client of every example with server-side apply, losing nothing', async () => {
    const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.xml'));
    for (const example of examples) {
      const rendered = JSON.parse(
        await vigie(
          'render',
          '--output',
          'json',
          '--bucket',
          'configs',
          '--generation',
          '7',
          `examples/${example}`,
        ),
      ) as KubernetesObject & { spec: unknown };
      const stored = await apply(rendered);
      // A field missing from the CRD schema would be pruned silently by the API server.
      assert.deepEqual(stored.spec, rendered.spec, `${example}: the API server changed the spec`);
    }
  });

  it('shows printer columns to kubectl get clients', async () => {
    const { stdout } = await exec(join(toolsBinDir(process.env), 'kubectl'), [
      '--kubeconfig',
      cp.kubeconfigPath,
      'get',
      'clients',
    ]);
    const [header, ...rows] = stdout.trim().split('\n');
    assert.match(header ?? '', /^NAME\s+STORE\s+CAMERAS\s+UP\s+READY\s+REASON\s+AGE$/);
    assert.ok(rows.some((r) => r.startsWith('acme-paris-11') && r.includes('ACME Paris 11e')));
  });

  it("rejects an invalid spec with the API server's own error", async () => {
    const rendered = JSON.parse(
      await vigie('render', '--output', 'json', 'examples/minimal.xml'),
    ) as KubernetesObject & { spec: { cameras: { analysis: { fps: number }; id: string }[] } };
    const camera = rendered.spec.cameras[0];
    assert.ok(camera);
    camera.analysis.fps = 1000;
    await assert.rejects(apply(rendered), (error: unknown) => {
      assert.ok(error instanceof ApiException);
      assert.equal(error.code, 422);
      const body = String(error.body);
      assert.match(
        body,
        /spec\.cameras\[0\]\.analysis\.fps: Invalid value: 1000: spec\.cameras\[0\]\.analysis\.fps in body should be less than or equal to 30/,
      );
      return true;
    });
  });

  it('runs Deployments on simulated nodes', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'probe', namespace: 'default' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'probe' } },
        template: {
          metadata: { labels: { app: 'probe' } },
          spec: { containers: [{ name: 'probe', image: 'registry.example/probe:1' }] },
        },
      },
    };
    await apply(deployment);
    for (let i = 0; i < 300; i++) {
      const current = await api.read<typeof deployment & { status?: { readyReplicas?: number } }>(
        deployment,
      );
      if (current.status?.readyReplicas === 1) return;
      await sleep(100);
    }
    assert.fail('the Deployment never got a ready pod');
  });
});
