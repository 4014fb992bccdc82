import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { buildClientCrd, CLIENT_SCHEMA, parseClientConfig, toClientResource } from '@vigie/config';
import type { ControlPlane } from '@vigie/testenv';
import { installCrd, repoRoot, startControlPlane, toolsBinDir } from '@vigie/testenv';
import { desired } from './desired.js';
import { DEFAULT_SETTINGS } from './settings.js';

let cp: ControlPlane;
let api: KubernetesObjectApi;
const apply = (o: object) =>
  api.patch<KubernetesObject>(
    o,
    undefined,
    undefined,
    'vigie-operator',
    true,
    PatchStrategy.ServerSideApply,
  );

before(async () => {
  cp = await startControlPlane({ binDir: toolsBinDir(process.env), controllers: false });
  const kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfig);
  api = KubernetesObjectApi.makeApiClient(kc);
  await installCrd(cp.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
});

after(async () => {
  await cp.stop();
});

describe('desired objects on a real API server', () => {
  it('are accepted for every example, and applying them twice changes nothing', async () => {
    for (const example of readdirSync(join(repoRoot(), 'examples'))) {
      const result = parseClientConfig(readFileSync(join(repoRoot(), 'examples', example)));
      assert.ok(result.ok, example);
      const stored = await apply(toClientResource(result.config));
      const client = {
        metadata: { name: stored.metadata?.name ?? '', uid: stored.metadata?.uid ?? '' },
        spec: toClientResource(result.config).spec,
      };
      const objects = desired(client, DEFAULT_SETTINGS);
      const first = [];
      for (const object of objects) first.push(await apply(object));
      const second = [];
      for (const object of objects) second.push(await apply(object));
      // Server-side apply of the same desired state is a no-op: nothing for the operator to write.
      assert.deepEqual(
        second.map((o) => o.metadata?.resourceVersion),
        first.map((o) => o.metadata?.resourceVersion),
        `${example}: a second apply changed objects`,
      );
    }
  });
});
