import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { buildClientCrd, CLIENT_SCHEMA, parseClientConfig, toClientResource } from '@vigie/config';
import type { ControlPlane } from '@vigie/testenv';
import { installCrd, repoRoot, startControlPlane, toolsBinDir } from '@vigie/testenv';
import { NO_MONITORING, desired } from './desired.js';
import { DEFAULT_SETTINGS } from './settings.js';

// Every kind of rule the detectors' NetworkPolicy can hold: DNS servers that are not pods,
// camera networks, and API server endpoints of both families.
const SETTINGS = {
  ...DEFAULT_SETTINGS,
  dnsAddresses: ['169.254.20.10'],
  cameraNetworks: ['192.168.10.0/24', 'fd00:10::/64'],
};
const OBSERVED = {
  monitoring: NO_MONITORING,
  apiServer: [
    { address: '10.244.0.1', port: 6443 },
    { address: 'fd00::1', port: 443 },
  ],
};

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
      const objects = [
        ...desired(client, SETTINGS, OBSERVED),
        // Without camera networks, a camera named by a host name gets its port on any address.
        ...desired(client, DEFAULT_SETTINGS)
          .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'detectors')
          .map((o) => ({ ...o, metadata: { ...o.metadata, name: 'detectors-default-settings' } })),
      ];
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

  it('accept every kind of camera rule: addresses of both families, host names, RTSP over UDP', async () => {
    const result = parseClientConfig(readFileSync(join(repoRoot(), 'examples', 'minimal.xml')));
    assert.ok(result.ok);
    const resource = toClientResource(result.config);
    const [camera] = resource.spec.cameras;
    assert.ok(camera);
    const streams = [
      { url: 'rtsp://[fd00:10::7]:8554/live', transport: 'udp' },
      { url: 'rtsps://cams.store.example/front', transport: 'udp' },
      { url: 'http://10.0.0.14/mjpeg', transport: 'tcp' },
    ] as const;
    const spec = {
      ...resource.spec,
      cameras: streams.map((stream, i) => ({
        ...camera,
        id: `cam-${String(i)}`,
        stream: { ...camera.stream, ...stream },
      })),
    };
    const client = {
      metadata: { name: 'every-rule', uid: '00000000-0000-4000-8000-0000000000aa' },
      spec,
    };
    for (const settings of [SETTINGS, DEFAULT_SETTINGS]) {
      const objects = desired(client, settings, OBSERVED);
      for (const object of objects.filter(
        (o) => o.kind === 'Namespace' || o.kind === 'NetworkPolicy',
      )) {
        await apply(object);
      }
    }
  });
});
