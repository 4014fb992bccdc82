import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '@vigie/testenv';
import { parseAllDocuments } from 'yaml';
import { TYPES } from './kube/resources.js';
import type { TestCluster } from './testing/harness.js';
import {
  TEST_API_SERVER,
  clientResource,
  eventually,
  exampleSpec,
  startTestCluster,
} from './testing/harness.js';

/** One operator process, as the Deployment runs it, with its JSON log lines. */
interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  metricsPort(): Promise<number>;
}

const MAIN = join(fileURLToPath(new URL('.', import.meta.url)), 'main.js');
let cluster: TestCluster;
let kubeconfigPath: string;
const replicas: Replica[] = [];

function startReplica(name: string): Replica {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: kubeconfigPath,
      POD_NAME: name,
      POD_NAMESPACE: 'vigie-system',
      VIGIE_METRICS_ADDR: '127.0.0.1:0',
      VIGIE_PROBE_ADDR: '127.0.0.1:0',
      VIGIE_LEASE_DURATION_SECONDS: '4',
      VIGIE_RENEW_DEADLINE_SECONDS: '3',
      VIGIE_RETRY_PERIOD_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      if (stderr !== '') lines.push({ severity: 'STDERR', message: stderr });
      resolve(code);
    });
  });
  const replica: Replica = {
    name,
    child,
    lines,
    exited,
    metricsPort: () =>
      eventually(`${name} started`, () => {
        const started = lines.find((l) => l.message === 'operator started');
        return Promise.resolve(started?.metricsPort as number | undefined);
      }),
  };
  replicas.push(replica);
  return replica;
}

async function metric(
  replica: Replica,
  name: string,
  filter: (labels: string) => boolean = () => true,
) {
  const text = await (
    await fetch(`http://127.0.0.1:${String(await replica.metricsPort())}/metrics`)
  ).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === name && filter(match[2] ?? '')) sum += Number(match[3]);
  }
  return sum;
}

const holder = async () =>
  (
    (await cluster.admin.get(TYPES.Lease, 'vigie-operator', 'vigie-system'))?.spec as
      { holderIdentity?: string } | undefined
  )?.holderIdentity;

const readyClient = (name: string) =>
  eventually(
    `${name} Ready`,
    async () => (await cluster.admin.condition(name, 'Ready'))?.status === 'True',
    90_000,
  );

async function createClient(name: string, example = 'minimal'): Promise<void> {
  const spec = exampleSpec(example);
  await cluster.admin.apply(clientResource(name, spec));
  const secret = spec.cameras[0]?.stream.credentialsSecret ?? '';
  await eventually(`namespace vigie-${name}`, () =>
    cluster.admin.get(TYPES.Namespace, `vigie-${name}`),
  );
  await cluster.admin.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secret, namespace: `vigie-${name}` },
  });
}

before(async () => {
  cluster = await startTestCluster(2);
  // The shipped manifests, applied as an administrator would.
  for (const file of ['namespace.yaml', 'rbac.yaml']) {
    const text = readFileSync(join(repoRoot(), 'deploy', 'operator', file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      await cluster.admin.apply(
        doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string } },
      );
    }
  }
  // A token for the operator's ServiceAccount, as the kubelet would mount it.
  const request = await cluster.admin.client.request<{ status: { token: string } }>(
    '/api/v1/namespaces/vigie-system/serviceaccounts/vigie-operator/token',
    {
      method: 'POST',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    },
  );
  const admin = cluster.cp.kubeconfig;
  const sa = admin
    .replace(/^( {6}token: ).*$/m, `$1${request.status.token}`)
    .replace(/vigie-admin/g, 'vigie-operator');
  kubeconfigPath = join(cluster.cp.dir, 'operator.kubeconfig');
  writeFileSync(kubeconfigPath, sa, { mode: 0o600 });
});

after(async () => {
  for (const replica of replicas) replica.child.kill('SIGKILL');
  await cluster.stop();
});

describe('operator processes under the shipped RBAC', () => {
  let a: Replica;
  let b: Replica;

  it('reconciles under its own ServiceAccount with nothing forbidden', async () => {
    a = startReplica('replica-a');
    await eventually('replica-a leading', async () => (await holder()) === 'replica-a');
    // A client with webhooks: the operator must also be able to grant the console its keys.
    await createClient('rbac-store', 'alerts');
    await readyClient('rbac-store');
    await eventually(`the console's webhook grant`, () =>
      cluster.admin.get(TYPES.RoleBinding, 'vigie-console-webhooks', 'vigie-rbac-store'),
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; the operator said: ${JSON.stringify(a.lines.slice(-8))}`);
    });
    await eventually(
      'Degraded False',
      async () => (await cluster.admin.condition('rbac-store', 'Degraded'))?.status === 'False',
    );
    // It reads where the API server is, and lets the detectors reach it.
    const policy = await cluster.admin.get(TYPES.NetworkPolicy, 'detectors', 'vigie-rbac-store');
    assert.deepEqual((policy?.spec as { egress: unknown[] }).egress[2], {
      to: TEST_API_SERVER.addresses.map((a) => ({ ipBlock: { cidr: `${a}/32` } })),
      ports: [{ protocol: 'TCP', port: TEST_API_SERVER.port }],
    });
    assert.equal(await metric(a, 'rest_client_requests_total', (l) => l.includes('code="403"')), 0);
    assert.deepEqual(
      a.lines.filter(
        (l) => l.severity === 'ERROR' || l.severity === 'WARNING' || l.severity === 'STDERR',
      ),
      [],
    );
  });

  it('keeps a second replica on standby: it writes nothing while the leader lives', async () => {
    b = startReplica('replica-b');
    await b.metricsPort();
    await createClient('standby-store');
    await readyClient('standby-store');
    assert.equal(await holder(), 'replica-a');
    assert.equal(await metric(b, 'leader_election_master_status'), 0);
    assert.equal(await metric(b, 'controller_runtime_reconcile_total'), 0);
    assert.equal(
      await metric(b, 'rest_client_requests_total', (l) => !l.includes('method="GET"')),
      0,
    );
    assert.ok((await metric(a, 'controller_runtime_reconcile_total')) > 0);
  });

  it('replaces a killed leader within the lease time, and the new leader converges', async () => {
    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await eventually('replica-b leading', async () => (await holder()) === 'replica-b', 30_000);
    const takeover = (Date.now() - killedAt) / 1000;
    process.stdout.write(
      `# takeover after the leader was killed: ${takeover.toFixed(1)} s (lease 4 s)\n`,
    );
    await createClient('after-failover');
    await readyClient('after-failover');
  });

  it('hands the Lease over at once on SIGTERM, and exits 0', async () => {
    const c = startReplica('replica-c');
    await c.metricsPort();
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0);
    await eventually('replica-c leading', async () => (await holder()) === 'replica-c', 30_000);
    await createClient('after-handover');
    await readyClient('after-handover');
  });
});
