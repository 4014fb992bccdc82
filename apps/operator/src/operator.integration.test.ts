import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientSpec } from '@vigie/config';
import { DEFAULT_SETTINGS } from './desired/settings.js';
import { KubeClient, hasStatus } from './kube/client.js';
import { objectPath, TYPES } from './kube/resources.js';
import type { Operator } from './operator.js';
import { startOperator } from './operator.js';
import { createJsonLogger, silentLogger } from '@vigie/log';
import type { TestCluster } from './testing/harness.js';
import {
  TEST_API_SERVER,
  clientResource,
  eventually,
  exampleSpec,
  startTestCluster,
} from './testing/harness.js';

let cluster: TestCluster;
let operator: Operator;
const NS = 'vigie-acme';

/** full-store's three cameras, one shard each. */
function spec(change: (s: ClientSpec) => ClientSpec = (s) => s): ClientSpec {
  const base = exampleSpec('full-store');
  return change({ ...base, resources: { ...base.resources, camerasPerShard: 1 } });
}

async function writes(): Promise<number> {
  const { values } = await operator.metrics.requests.get();
  return values.filter((v) => v.labels.method !== 'GET').reduce((n, v) => n + v.value, 0);
}

async function watchErrors(): Promise<number> {
  const { values } = await operator.metrics.watchErrors.get();
  return values.reduce((n, v) => n + v.value, 0);
}

async function podUids(): Promise<Map<string, string>> {
  const pods = await cluster.admin.list(TYPES.Pod, NS);
  return new Map(
    pods
      .filter((p) => p.metadata.deletionTimestamp === undefined)
      .map((p) => [p.metadata.labels?.['vigie.dev/shard'] ?? '', p.metadata.uid ?? '']),
  );
}

const ready = (client: string, timeoutMs = 60_000) =>
  eventually(
    `${client} Ready`,
    async () => {
      const c = await cluster.admin.condition(client, 'Ready');
      return c?.status === 'True' ? c : undefined;
    },
    timeoutMs,
  );

before(async () => {
  cluster = await startTestCluster(2);
  operator = await startOperator({
    connection: cluster.connection,
    settings: DEFAULT_SETTINGS,
    identity: 'test',
    workers: 4,
    leaderElection: false,
    resyncMs: 2_000,
    discoveryIntervalMs: 1_000,
    metricsAddress: '127.0.0.1:0',
    probeAddress: '127.0.0.1:0',
    log:
      process.env.VIGIE_TEST_LOG === '1'
        ? createJsonLogger((l) => process.stderr.write(l), 'DEBUG')
        : silentLogger,
  });
});

after(async () => {
  await operator.stop();
  await cluster.stop();
});

describe('the operator against a real control plane', () => {
  it('serves health, readiness and controller-runtime metrics', async () => {
    await eventually('readiness', () => Promise.resolve(operator.isReady()));
    const readyz = await fetch(`http://127.0.0.1:${String(operator.ports.probes)}/readyz`);
    assert.equal(readyz.status, 200);
    const healthz = await fetch(`http://127.0.0.1:${String(operator.ports.probes)}/healthz`);
    assert.equal(healthz.status, 200);
    const text = await (
      await fetch(`http://127.0.0.1:${String(operator.ports.metrics)}/metrics`)
    ).text();
    for (const name of [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'workqueue_depth',
      'workqueue_retries_total',
      'workqueue_adds_total',
      'leader_election_master_status',
      'process_resident_memory_bytes',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  it('creates the tenant, reports a missing camera Secret as Degraded, and clears it', async () => {
    await cluster.admin.apply(clientResource('acme', spec()));
    const degraded = await eventually('Degraded SecretMissing', async () => {
      const c = await cluster.admin.condition('acme', 'Degraded');
      return c?.reason === 'SecretMissing' ? c : undefined;
    });
    assert.equal(degraded.status, 'True');
    assert.match(degraded.message, /Secret "acme-cameras" is missing from namespace vigie-acme/);
    assert.match(degraded.message, /entrance, aisle-cosmetics, stockroom/);

    const namespace = await cluster.admin.get(TYPES.Namespace, NS);
    assert.ok(namespace);
    assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(namespace.metadata.ownerReferences?.map((o) => o.kind).join(), 'Client');
    for (const shard of ['shard-0', 'shard-1', 'shard-2']) {
      assert.ok(await cluster.admin.get(TYPES.Deployment, `detector-${shard}`, NS), shard);
      assert.ok(await cluster.admin.get(TYPES.ConfigMap, `detector-${shard}`, NS), shard);
      assert.ok(await cluster.admin.get(TYPES.Service, `detector-${shard}`, NS), shard);
    }
    assert.ok(await cluster.admin.get(TYPES.ResourceQuota, 'vigie-quota', NS));
    assert.ok(await cluster.admin.get(TYPES.NetworkPolicy, 'default-deny', NS));
    const token = await cluster.admin.get(TYPES.Secret, 'vigie-ingest-token', NS);
    assert.ok(token !== undefined && (token.data as { token: string }).token.length > 40);
    // The console checks detectors' posts against the token's digest in the status.
    const digest = createHash('sha256')
      .update(Buffer.from((token.data as { token: string }).token, 'base64'))
      .digest('hex');
    await eventually('the token digest in the status', async () => {
      const client = await cluster.admin.get(TYPES.Client, 'acme');
      const status = client?.status as { ingestTokenSha256?: string } | undefined;
      return status?.ingestTokenSha256 === digest ? true : undefined;
    });

    await cluster.admin.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'acme-cameras', namespace: NS },
      stringData: { username: 'viewer', password: 'generated-at-test-time' },
    } as never);
    const healthy = await eventually('Degraded False', async () => {
      const c = await cluster.admin.condition('acme', 'Degraded');
      return c?.status === 'False' ? c : undefined;
    });
    assert.equal(healthy.reason, 'AsExpected');
  });

  it('reports Ready with per-shard readiness once the Deployments are available', async () => {
    const condition = await ready('acme');
    assert.equal(condition.reason, 'AllShardsReady');
    const client = await cluster.admin.get(TYPES.Client, 'acme');
    const status = client?.status as {
      observedGeneration: number;
      summary: { cameras: number; camerasUp: number; shards: number; shardsReady: number };
      shards: { name: string; cameras: string[]; ready: boolean; readyReplicas: number }[];
    };
    assert.equal(status.observedGeneration, client?.metadata.generation);
    assert.deepEqual(status.summary, { cameras: 3, camerasUp: 0, shards: 3, shardsReady: 3 });
    assert.deepEqual(
      status.shards.map((s) => [s.name, s.cameras, s.ready, s.readyReplicas]),
      [
        ['shard-0', ['entrance'], true, 1],
        ['shard-1', ['aisle-cosmetics'], true, 1],
        ['shard-2', ['stockroom'], true, 1],
      ],
    );
  });

  it("takes camera health from the detectors, each allowed to write its own Client's only", async () => {
    await ready('acme');
    // A token for the detectors' ServiceAccount, as the kubelet mounts it in their pods.
    const minted = await cluster.admin.client.request<{ status: { token: string } }>(
      `/api/v1/namespaces/${NS}/serviceaccounts/vigie-detector/token`,
      {
        method: 'POST',
        body: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 600 },
        },
      },
    );
    const detector = new KubeClient({
      ...cluster.connection,
      token: () => Promise.resolve(minted.status.token),
    });
    const report = (client: string, cameras: object[]) =>
      detector.request(`${objectPath(TYPES.Client, client)}/status`, {
        method: 'PATCH',
        query: { fieldManager: 'vigie-detector-shard-1', force: 'true' },
        contentType: 'application/apply-patch+yaml',
        body: {
          apiVersion: 'vigie.dev/v1alpha1',
          kind: 'Client',
          metadata: { name: client },
          status: { detectors: { 'shard-1': { cameras } } },
        },
      });
    try {
      await report('acme', [
        {
          id: 'aisle-cosmetics',
          state: 'Down',
          reason: 'VIGIE_E_STREAM_AUTH',
          message: '401 Unauthorized',
        },
      ]);
      const degraded = await eventually('CameraDown', async () => {
        const c = await cluster.admin.condition('acme', 'Degraded');
        return c?.reason === 'CameraDown' ? c : undefined;
      });
      assert.equal(
        degraded.message,
        'camera aisle-cosmetics: VIGIE_E_STREAM_AUTH: 401 Unauthorized',
      );
      await report('acme', [{ id: 'aisle-cosmetics', state: 'Up' }]);
      const up = await eventually('the camera up again', async () => {
        const client = await cluster.admin.get(TYPES.Client, 'acme');
        const status = client?.status as
          | { summary?: { camerasUp?: number }; cameras?: { id: string; state: string }[] }
          | undefined;
        const c = await cluster.admin.condition('acme', 'Degraded');
        return status?.summary?.camerasUp === 1 && c?.status === 'False' ? status : undefined;
      });
      // Cameras without a report yet are Unknown, in plan order.
      assert.deepEqual(
        up.cameras?.map((c) => [c.id, c.state]),
        [
          ['entrance', 'Unknown'],
          ['aisle-cosmetics', 'Up'],
          ['stockroom', 'Unknown'],
        ],
      );
      // Another tenant's Client is out of reach.
      await cluster.admin.apply(clientResource('other-store', spec()));
      await assert.rejects(report('other-store', [{ id: 'entrance', state: 'Up' }]), (e: unknown) =>
        hasStatus(e, 403),
      );
    } finally {
      detector.close();
      await cluster.admin.delete(TYPES.Client, 'other-store');
    }
  });

  it('writes nothing while idle, across resyncs', async () => {
    await ready('acme');
    await sleep(1_000);
    const before = await writes();
    // Several resyncs (every 2 s here) re-examine every Client.
    await sleep(6_000);
    assert.equal(await writes(), before);
  });

  it('takes a zones-and-rules change live, without restarting any detector', async () => {
    const pods = await podUids();
    const deployment = await cluster.admin.get(TYPES.Deployment, 'detector-shard-0', NS);
    await cluster.admin.apply(
      clientResource(
        'acme',
        spec((s) => ({ ...s, detection: { ...s.detection, sensitivity: 'high' } })),
      ),
    );
    await eventually('the new config in the ConfigMap', async () => {
      const cm = await cluster.admin.get(TYPES.ConfigMap, 'detector-shard-0', NS);
      const config = JSON.parse((cm?.data as { 'config.json': string })['config.json']) as {
        detection: { sensitivity: string };
      };
      return config.detection.sensitivity === 'high';
    });
    await sleep(2_000);
    assert.deepEqual(await podUids(), pods);
    const after = await cluster.admin.get(TYPES.Deployment, 'detector-shard-0', NS);
    assert.equal(after?.metadata.generation, deployment?.metadata.generation);
  });

  it('rolls only the shard whose stream changed', async () => {
    await ready('acme');
    const pods = await podUids();
    await cluster.admin.apply(
      clientResource(
        'acme',
        spec((s) => ({
          ...s,
          detection: { ...s.detection, sensitivity: 'high' },
          cameras: s.cameras.map((c) =>
            c.id === 'aisle-cosmetics'
              ? { ...c, stream: { ...c.stream, url: 'rtsp://10.0.0.99:554/new' } }
              : c,
          ),
        })),
      ),
    );
    const rolled = await eventually('shard-1 replaced', async () => {
      const now = await podUids();
      return now.get('shard-1') !== undefined && now.get('shard-1') !== pods.get('shard-1')
        ? now
        : undefined;
    });
    assert.equal(rolled.get('shard-0'), pods.get('shard-0'));
    assert.equal(rolled.get('shard-2'), pods.get('shard-2'));
    await ready('acme');
  });

  it('puts back objects deleted or edited by hand', async () => {
    await cluster.admin.delete(TYPES.ConfigMap, 'detector-shard-0', NS);
    await cluster.admin.delete(TYPES.NetworkPolicy, 'detectors', NS);
    await cluster.admin.patch(TYPES.Deployment, 'detector-shard-2', { spec: { replicas: 3 } }, NS);
    await cluster.admin.patch(
      TYPES.Service,
      'detector-shard-1',
      { spec: { ports: [{ name: 'metrics', port: 1, targetPort: 1 }] } },
      NS,
    );
    await eventually('the ConfigMap back', () =>
      cluster.admin.get(TYPES.ConfigMap, 'detector-shard-0', NS),
    );
    await eventually('the NetworkPolicy back', () =>
      cluster.admin.get(TYPES.NetworkPolicy, 'detectors', NS),
    );
    await eventually('one replica again', async () => {
      const d = await cluster.admin.get(TYPES.Deployment, 'detector-shard-2', NS);
      return (d?.spec as { replicas: number }).replicas === 1;
    });
    await eventually('the Service port back', async () => {
      const s = await cluster.admin.get(TYPES.Service, 'detector-shard-1', NS);
      return (s?.spec as { ports: { port: number }[] }).ports[0]?.port === 9464;
    });
    const events = await eventually('a DriftRepaired event', async () => {
      const list = await cluster.admin.list(TYPES.Event, 'default');
      const repaired = list.filter(
        (e) => e.reason === 'DriftRepaired' && (e.regarding as { name: string }).name === 'acme',
      );
      return repaired.length >= 3 ? repaired : undefined;
    });
    assert.ok(
      events.some((e) => /ConfigMap vigie-acme\/detector-shard-0 was deleted/.test(String(e.note))),
    );
  });

  it("follows the API server's endpoints into the detectors' NetworkPolicy", async () => {
    // The API server's rules, as `cidr,cidr port`: the camera rules name 10.0.0.0/8 addresses,
    // the API server's are in 192.0.2.0/24.
    const apiServerRules = async () => {
      const policy = await cluster.admin.get(TYPES.NetworkPolicy, 'detectors', NS);
      const egress = (
        policy?.spec as {
          egress: { to?: { ipBlock?: { cidr: string } }[]; ports?: { port?: number }[] }[];
        }
      ).egress;
      return egress
        .filter((r) => r.to?.some((peer) => peer.ipBlock?.cidr.startsWith('192.0.2.')) === true)
        .map(
          (r) =>
            `${(r.to ?? []).map((peer) => peer.ipBlock?.cidr ?? '').join(',')} ${(r.ports ?? []).map((p) => String(p.port)).join(',')}`,
        )
        .join('; ');
    };
    const rule = (addresses: readonly string[], port: number) =>
      `${addresses.map((a) => `${a}/32`).join(',')} ${String(port)}`;
    await eventually('the API server in the policy', async () =>
      (await apiServerRules()) === rule(TEST_API_SERVER.addresses, TEST_API_SERVER.port)
        ? true
        : undefined,
    );
    // The API server moves: no Client changed, yet every detector policy follows.
    await cluster.admin.apiServerSlice(['192.0.2.20', '192.0.2.21'], 443);
    await eventually('the new endpoints in the policy', async () =>
      (await apiServerRules()) === rule(['192.0.2.20', '192.0.2.21'], 443) ? true : undefined,
    );
    await cluster.admin.apiServerSlice(TEST_API_SERVER.addresses, TEST_API_SERVER.port);
    await eventually('the first endpoints back', async () =>
      (await apiServerRules()) === rule(TEST_API_SERVER.addresses, TEST_API_SERVER.port)
        ? true
        : undefined,
    );
  });

  it('keeps the last good state running when the spec is invalid', async () => {
    await ready('acme');
    const configMap = await cluster.admin.get(TYPES.ConfigMap, 'detector-shard-0', NS);
    const pods = await podUids();
    const good = spec((s) => ({ ...s, detection: { ...s.detection, sensitivity: 'high' } }));
    // Passes the CRD's structural schema, fails the semantic checks: two cameras share an ID.
    await cluster.admin.apply(
      clientResource('acme', {
        ...good,
        detection: { ...good.detection, sensitivity: 'low' },
        cameras: good.cameras.map((c) => ({ ...c, id: 'entrance' })),
      }),
    );
    const accepted = await eventually('Accepted False', async () => {
      const c = await cluster.admin.condition('acme', 'Accepted');
      return c?.status === 'False' ? c : undefined;
    });
    assert.equal(accepted.reason, 'InvalidSpec');
    assert.match(accepted.message, /VIGIE_E_DUPLICATE_ID/);
    await sleep(1_000);
    const after = await cluster.admin.get(TYPES.ConfigMap, 'detector-shard-0', NS);
    assert.deepEqual(after?.data, configMap?.data);
    assert.deepEqual(await podUids(), pods);
    await cluster.admin.apply(clientResource('acme', spec()));
    await eventually(
      'Accepted again',
      async () => (await cluster.admin.condition('acme', 'Accepted'))?.status === 'True',
    );
  });

  it('reports a GPU request no node fits as Degraded, then recovers', async () => {
    await cluster.admin.apply(
      clientResource(
        'acme',
        spec((s) => ({ ...s, resources: { ...s.resources, accelerator: 'nvidia-gpu' } })),
      ),
    );
    let last: unknown;
    const degraded = await eventually('Degraded Unschedulable', async () => {
      const c = await cluster.admin.condition('acme', 'Degraded');
      last = c;
      return c?.reason === 'Unschedulable' ? c : undefined;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; last Degraded: ${JSON.stringify(last)}`);
    });
    assert.match(degraded.message, /no node fits the detector pod: .*nvidia\.com\/gpu/);
    const notReady = await cluster.admin.condition('acme', 'Ready');
    assert.equal(notReady?.status, 'False');
    await cluster.admin.apply(clientResource('acme', spec()));
    await ready('acme');
  });

  it('removes the objects of a shard that is no longer planned', async () => {
    await cluster.admin.apply(
      clientResource(
        'acme',
        spec((s) => ({ ...s, resources: { ...s.resources, camerasPerShard: 4 } })),
      ),
    );
    await eventually('shards 1 and 2 gone', async () => {
      const deployments = await cluster.admin.list(TYPES.Deployment, NS);
      const configMaps = await cluster.admin.list(TYPES.ConfigMap, NS, 'vigie.dev/shard');
      return (
        deployments.map((d) => d.metadata.name).join() === 'detector-shard-0' &&
        configMaps.map((d) => d.metadata.name).join() === 'detector-shard-0'
      );
    });
    const client = await ready('acme');
    assert.match(client.message, /3 cameras in 1 ready shard/);
  });

  it('adds scrape objects once the cluster serves the PodMonitoring API', async () => {
    await installMonitoringCrd();
    const monitor = await eventually('a PodMonitoring', () =>
      cluster.admin.get(TYPES.PodMonitoring, 'detectors', NS),
    );
    assert.deepEqual(
      (monitor.spec as { endpoints: { port: string }[] }).endpoints[0]?.port,
      'metrics',
    );
  });

  it('lets garbage collection remove everything when the Client is deleted', async () => {
    await cluster.admin.delete(TYPES.Client, 'acme');
    await eventually(
      'the namespace gone',
      async () => (await cluster.admin.get(TYPES.Namespace, NS)) === undefined,
      120_000,
    );
  });

  it('recovers when the API server restarts, and loses no change made meanwhile', async () => {
    await cluster.admin.apply(clientResource('restart-store', spec()));
    await ready('restart-store');
    const errorsBefore = await watchErrors();
    await cluster.cp.restartApiServer(1_000);
    // Changes land as soon as the server is back, before the operator's watches reconnect.
    await cluster.admin.apply(
      clientResource(
        'restart-store',
        spec((s) => ({ ...s, detection: { ...s.detection, sensitivity: 'low' } })),
      ),
    );
    await cluster.admin.apply(clientResource('after-restart', exampleSpec('minimal')));
    await eventually('the change in the ConfigMap', async () => {
      const cm = await cluster.admin.get(
        TYPES.ConfigMap,
        'detector-shard-0',
        'vigie-restart-store',
      );
      return (cm?.data as { 'config.json': string } | undefined)?.['config.json'].includes(
        '"sensitivity": "low"',
      );
    });
    await eventually(
      'the new client planned',
      async () => (await cluster.admin.condition('after-restart', 'Accepted'))?.status === 'True',
    );
    // The controller-manager and kwok recover from the restart too, at their own pace.
    await ready('after-restart', 180_000);
    assert.ok((await watchErrors()) > errorsBefore, 'the restart was seen by the watches');
  });
});

async function installMonitoringCrd(): Promise<void> {
  await cluster.admin.client.request(
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/podmonitorings.monitoring.googleapis.com',
    {
      method: 'PATCH',
      query: { fieldManager: 'test', force: 'true' },
      contentType: 'application/apply-patch+yaml',
      body: {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'podmonitorings.monitoring.googleapis.com' },
        spec: {
          group: 'monitoring.googleapis.com',
          scope: 'Namespaced',
          names: {
            kind: 'PodMonitoring',
            plural: 'podmonitorings',
            singular: 'podmonitoring',
            listKind: 'PodMonitoringList',
          },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          ],
        },
      },
    },
  );
}
