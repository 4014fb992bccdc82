import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseClientConfig, toClientResource } from '@vigie/config';
import { planClient } from '@vigie/plan';
import { repoRoot } from '@vigie/testenv';
import type { ClientInput, KubeObject, ObservedCluster } from './desired.js';
import { NO_MONITORING, SPEC_HASH_ANNOTATION, desired } from './desired.js';
import { unconfinedCameras } from './network-policy.js';
import type { OperatorSettings } from './settings.js';
import { DEFAULT_SETTINGS } from './settings.js';

/** A client from one of the examples. */
function exampleClient(example: string): ClientInput {
  const result = parseClientConfig(readFileSync(join(repoRoot(), 'examples', example)));
  assert.ok(result.ok, example);
  const resource = toClientResource(result.config);
  return {
    metadata: { name: resource.metadata.name, uid: '6b7f6c5e-0000-4000-8000-000000000003' },
    spec: resource.spec,
  };
}

/** A client whose cameras stream from these URLs (`url` or `url|udp`), one shard. */
function client(...streams: string[]): ClientInput {
  const cameras = streams
    .map((stream, i) => {
      const [url, transport] = stream.split('|');
      return `<camera id="cam-${String(i)}"><stream url="${url ?? ''}"${transport === undefined ? '' : ` transport="${transport}"`}/></camera>`;
    })
    .join('');
  const xml = `<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="corner-shop" name="Corner Shop" timezone="Europe/Paris">
  <contact name="Owner" email="owner@corner-shop.example"/>
  <cameras>${cameras}</cameras>
  <resources camerasPerShard="16"/>
</client>`;
  const result = parseClientConfig(xml);
  assert.ok(result.ok, JSON.stringify(result));
  const resource = toClientResource(result.config);
  return {
    metadata: { name: resource.metadata.name, uid: '6b7f6c5e-0000-4000-8000-000000000002' },
    spec: resource.spec,
  };
}

const API_SERVER: ObservedCluster = {
  monitoring: NO_MONITORING,
  apiServer: [{ address: '10.244.0.1', port: 6443 }],
};

function policy(
  input: ClientInput,
  settings: OperatorSettings = DEFAULT_SETTINGS,
  observed: ObservedCluster = API_SERVER,
): KubeObject {
  const found = desired(input, settings, observed).find(
    (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'detectors',
  );
  assert.ok(found);
  return found;
}

interface Rule {
  to?: object[];
  ports?: { protocol: string; port?: number }[];
}

const egress = (...args: Parameters<typeof policy>): Rule[] =>
  (policy(...args).spec as { egress: Rule[] }).egress;

const DNS: Rule = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};
const CONSOLE: Rule = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vigie-system' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vigie-console' } },
    },
  ],
  ports: [{ protocol: 'TCP', port: 8080 }],
};
const to = (...cidrs: string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));

describe("the detectors' NetworkPolicy", () => {
  it('lets detectors reach exactly the DNS pods, the console, the API server and their cameras', () => {
    const detectors = policy(client('rtsp://192.168.1.20:554/stream1'));
    assert.deepEqual(detectors.spec, {
      podSelector: {
        matchLabels: {
          'vigie.dev/client': 'corner-shop',
          'app.kubernetes.io/component': 'detector',
        },
      },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'vigie.dev/monitoring': 'true' } } }],
          ports: tcp(9464),
        },
      ],
      egress: [
        DNS,
        CONSOLE,
        { to: to('10.244.0.1/32'), ports: tcp(6443) },
        { to: to('192.168.1.20/32'), ports: tcp(554) },
      ],
    });
    const deny = desired(client('rtsp://192.168.1.20/s'), DEFAULT_SETTINGS, API_SERVER).find(
      (o) => o.metadata.name === 'default-deny',
    );
    assert.deepEqual(deny?.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it("reaches each camera named by its address at that address alone, on its URL's port or its scheme's", () => {
    const rules = egress(
      client(
        'rtsp://10.0.0.11/a',
        'rtsp://10.0.0.12:554/b',
        'rtsps://10.0.0.13/c',
        'http://10.0.0.14/mjpeg',
        'https://10.0.0.15/mjpeg',
        'rtsp://10.0.0.16:8554/d',
        'file:///demo/aisle.mp4',
      ),
    ).slice(3);
    assert.deepEqual(rules, [
      { to: to('10.0.0.14/32'), ports: tcp(80) },
      { to: to('10.0.0.13/32'), ports: tcp(322) },
      { to: to('10.0.0.15/32'), ports: tcp(443) },
      { to: to('10.0.0.11/32', '10.0.0.12/32'), ports: tcp(554) },
      { to: to('10.0.0.16/32'), ports: tcp(8554) },
    ]);
  });

  it('reaches an IPv6 camera at its /128', () => {
    assert.deepEqual(egress(client('rtsp://[FD00:10:0:0::7]:8554/live')).slice(3), [
      { to: to('fd00:10::7/128'), ports: tcp(8554) },
    ]);
  });

  it('confines a camera named by a host name to the camera networks, and to its port', () => {
    const input = client('rtsps://cams.store.example/front', 'rtsp://10.0.0.11/a');
    const settings = { ...DEFAULT_SETTINGS, cameraNetworks: ['192.168.10.0/24', '10.8.0.0/16'] };
    assert.deepEqual(egress(input, settings).slice(3), [
      { to: to('10.0.0.11/32'), ports: tcp(554) },
      { to: to('10.8.0.0/16', '192.168.10.0/24'), ports: tcp(322) },
    ]);
    assert.deepEqual(unconfinedCameras(planClient('corner-shop', input.spec), settings), []);
  });

  it('opens a camera named by a host name to every address on its port alone, and says so, without camera networks', () => {
    const input = client('rtsps://cams.store.example/front', 'rtsp://10.0.0.11/a');
    assert.deepEqual(egress(input).slice(3), [
      { to: to('10.0.0.11/32'), ports: tcp(554) },
      { ports: tcp(322) },
    ]);
    assert.deepEqual(unconfinedCameras(planClient('corner-shop', input.spec), DEFAULT_SETTINGS), [
      'cam-0 (cams.store.example:322)',
    ]);
  });

  it('opens UDP only to the cameras that stream RTSP over UDP', () => {
    const tcpOnly = egress(client('rtsp://10.0.0.11/a', 'rtsp://cam.example/b'));
    assert.equal(
      tcpOnly.slice(1).some((r) => r.ports?.some((p) => p.protocol === 'UDP')),
      false,
      'no UDP but DNS',
    );
    assert.deepEqual(
      egress(client('rtsp://10.0.0.11/a|udp', 'rtsp://10.0.0.12/b', 'rtsp://cam.example/c|udp'), {
        ...DEFAULT_SETTINGS,
        cameraNetworks: ['10.9.0.0/16'],
      }).slice(3),
      [
        { to: to('10.0.0.11/32', '10.0.0.12/32'), ports: tcp(554) },
        // Media ports are chosen by the camera when the stream starts.
        { to: to('10.0.0.11/32'), ports: [{ protocol: 'UDP' }] },
        { to: to('10.9.0.0/16'), ports: [...tcp(554), { protocol: 'UDP' }] },
      ],
    );
  });

  it("follows the API server's endpoints: a change of them is a new desired policy", () => {
    const input = client('rtsp://10.0.0.11/a');
    const before = policy(input);
    const moved = policy(input, DEFAULT_SETTINGS, {
      monitoring: NO_MONITORING,
      apiServer: [
        { address: '10.128.0.2', port: 443 },
        { address: '10.128.0.3', port: 443 },
        { address: 'fd00::2', port: 6443 },
      ],
    });
    assert.deepEqual((moved.spec as { egress: Rule[] }).egress.slice(2, 4), [
      { to: to('10.128.0.2/32', '10.128.0.3/32'), ports: tcp(443) },
      { to: to('fd00::2/128'), ports: tcp(6443) },
    ]);
    assert.notDeepEqual(moved.spec, before.spec);
    // The digest changes with it, so the reconciler applies the new policy.
    assert.notEqual(
      moved.metadata.annotations?.[SPEC_HASH_ANNOTATION],
      before.metadata.annotations?.[SPEC_HASH_ANNOTATION],
    );
    // Nothing else the client owns changes.
    const others = (observed: ObservedCluster) =>
      desired(input, DEFAULT_SETTINGS, observed).filter((o) => o.kind !== 'NetworkPolicy');
    assert.deepEqual(others(API_SERVER), others({ ...API_SERVER, apiServer: [] }));
  });

  it('has no API server rule while its endpoints are unknown, and takes them from the settings when given', () => {
    const input = client('rtsp://10.0.0.11/a');
    const unknown = egress(input, DEFAULT_SETTINGS, { monitoring: NO_MONITORING, apiServer: [] });
    assert.deepEqual(unknown, [DNS, CONSOLE, { to: to('10.0.0.11/32'), ports: tcp(554) }]);
    const given = egress(
      input,
      { ...DEFAULT_SETTINGS, apiServerEndpoints: [{ address: '172.16.0.2', port: 443 }] },
      API_SERVER,
    );
    assert.deepEqual(given[2], { to: to('172.16.0.2/32'), ports: tcp(443) });
    assert.equal(given.length, 4);
  });

  it('adds the DNS servers that are not pods, such as a node-local cache, to the DNS rule', () => {
    const rules = egress(client('rtsp://10.0.0.11/a'), {
      ...DEFAULT_SETTINGS,
      dnsAddresses: ['169.254.20.10', '10.96.0.10'],
      dnsPodLabels: { 'k8s-app': 'coredns' },
    });
    assert.deepEqual(rules[0], {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'coredns' } },
        },
        ...to('10.96.0.10/32', '169.254.20.10/32'),
      ],
      ports: DNS.ports,
    });
  });

  it('lets detectors fetch custom models, and only when a camera uses one', () => {
    const custom = egress(exampleClient('custom-model.xml'));
    assert.deepEqual(custom.slice(-2), [
      // Any host on the models' port; the metadata server hands out the Workload Identity token.
      { ports: tcp(443) },
      { to: to('169.254.169.254/32'), ports: tcp(80, 988) },
    ]);
    assert.deepEqual(custom.slice(3, -2), [
      { to: to('10.20.0.5/32', '10.20.0.6/32'), ports: tcp(554) },
    ]);
    assert.equal(egress(exampleClient('minimal.xml')).length, 4);
  });

  it('opens nothing for cameras that play files', () => {
    assert.deepEqual(egress(client('file:///demo/aisle.poses.jsonl')), [
      DNS,
      CONSOLE,
      { to: to('10.244.0.1/32'), ports: tcp(6443) },
    ]);
  });
});
