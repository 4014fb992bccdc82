/**
 * Vigie's whole production path on a real node: a client's XML uploaded to the bucket becomes a
 * `Client` through the config function under the Functions Framework; the operator pods
 * reconcile it into a tenant namespace whose detector pod runs the real image on a real RTSP
 * camera; the detector reports the camera and posts alerts, with their evidence, to the console
 * pod, which keeps them in PostgreSQL. Then the faults a platform team meets. Needs root.
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Storage } from '@google-cloud/storage';
import { createApiToken, createPostgresSql, select, type SqlStore } from '@vigie/console';
import { vtestPath } from '@vigie/footage';
import { startPostgres, type Postgres } from '@vigie/testpg';
import { freePort, repoRoot, startFakeGcs, toolsBinDir, type FakeGcs } from '@vigie/testenv';
import { CLUSTER, clusterUp, type Cluster } from './index.js';
import {
  clusterDir,
  clusterImages,
  ctr,
  h264Clip,
  connectScript,
  httpsGet,
  OutboxLedger,
  probePod,
  promQuery,
  kubectlJson,
  pods,
  sh,
  startCamera,
  until,
  writeTestOverlay,
  type Camera,
} from './flow.js';

const root = repoRoot();
/**
 * With prometheus-operator, Prometheus and the Traefik Ingress controller installed first
 * (`scripts/test-cluster-full.sh`: they take long to build the first time).
 */
const FULL = process.env.VIGIE_CLUSTER_FULL === '1';
const BUCKET = 'vigie-configs';
const OBJECT = 'client-configs/plaza.xml';
const CLIENT = 'plaza';
const TENANT = `vigie-${CLIENT}`;
const FINALIZED = 'google.cloud.storage.object.v1.finalized';
const DELETED = 'google.cloud.storage.object.v1.deleted';
const SCRATCH_MIB = 16;
const ANNEX = 'annex';

interface ClientObject {
  metadata: { name: string; generation: number };
  status?: {
    observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    cameras?: { id: string; state: string; reason?: string }[];
  };
}

interface AlertSummary {
  id: string;
  client: string;
  camera: string;
  rule: string;
  evidence?: unknown;
}

/** The plaza layout over vtest.avi, with a restricted zone over the crossing people walk. */
function plazaConfig(cameraUrl: string): string {
  return readFileSync(join(root, 'testing/footage/scene/plaza.xml'), 'utf8')
    .replace('file:///footage/vtest.avi', cameraUrl)
    .replace(
      '</zones>',
      '  <zone id="crossing" type="restricted" name="Crossing" points="0.25,0.32 0.75,0.32 0.75,0.55 0.25,0.55"/>\n      </zones>',
    );
}

describe('the whole flow on a real node', { timeout: 60 * 60_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'vigie-flow-'));
  const figures: Record<string, string> = {};
  let cluster: Cluster;
  let pg: Postgres;
  let gcs: FakeGcs;
  let storage: Storage;
  let camera: Camera;
  let clip: string;
  let framework: ChildProcess | undefined;
  let frameworkOutput = '';
  let functionUrl = '';
  let consoleSql: SqlStore | undefined;
  let adminToken = '';
  let uploadedAt = 0;
  /** Where Prometheus's API is (FULL only). */
  let prometheus = '';
  /** The console's https URL through the Ingress, and the CA of its certificate (FULL only). */
  let ingress: { url: string; ca: string } | undefined;

  const client = () =>
    kubectlJson<ClientObject>(cluster, ['get', 'clients.vigie.dev', CLIENT]).catch(() => undefined);
  const condition = (c: ClientObject | undefined, type: string) =>
    c?.status?.conditions?.find((x) => x.type === type);

  /** The console pod's address: the host reaches pods on the bridge, never Service addresses. */
  const consoleBase = async () => {
    const [pod] = (await pods(cluster, 'vigie-system', 'app.kubernetes.io/name=vigie-console'))
      .filter((p) => p.status.containerStatuses?.every((s) => s.ready))
      .filter((p) => p.status.podIP !== undefined);
    return pod === undefined ? undefined : `http://${pod.status.podIP ?? ''}:8080`;
  };
  const consoleGet = async (path: string): Promise<Response> => {
    const base = await until('a ready console pod', consoleBase, 120_000);
    return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  };
  const alerts = async (): Promise<AlertSummary[]> => {
    const response = await consoleGet(`/api/v1/alerts?client=${CLIENT}&limit=200`);
    assert.equal(response.status, 200, await response.clone().text());
    return ((await response.json()) as { alerts: AlertSummary[] }).alerts;
  };

  /** Delivers the storage event Eventarc sends for an upload, until the function takes it. */
  const deliver = async (name: string, generation: string, size: string, type = FINALIZED) => {
    return until(
      'the config function to take the upload',
      async () => {
        const response = await fetch(functionUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'ce-specversion': '1.0',
            'ce-type': type,
            'ce-source': `//storage.googleapis.com/projects/_/buckets/${BUCKET}`,
            'ce-subject': `objects/${name}`,
            'ce-id': randomUUID(),
            'ce-time': new Date().toISOString(),
          },
          body: JSON.stringify({ bucket: BUCKET, name, generation, size }),
        });
        await response.arrayBuffer();
        return response.status === 204 ? true : undefined;
      },
      60_000,
      500,
    );
  };
  const upload = async (name: string, content: string) => {
    const file = storage.bucket(BUCKET).file(name);
    await file.save(Buffer.from(content), { resumable: false });
    const [metadata] = await file.getMetadata();
    await deliver(name, String(metadata.generation), String(metadata.size));
    return String(metadata.generation);
  };

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'the one-node cluster needs root');
    const started = Date.now();
    cluster = await clusterUp();
    figures['cluster up'] = `${((Date.now() - started) / 1000).toFixed(0)} s`;
    const images = clusterImages(clusterDir());

    // PostgreSQL on the host, reachable from the pods' bridge only (and loopback).
    pg = await startPostgres({
      remote: { addresses: [CLUSTER.hostIp], networks: ['10.244.0.0/24'] },
    });
    clip = h264Clip(vtestPath(), join(work, 'plaza.mp4'));
    camera = await startCamera({ clip, port: await freePort(), path: '/plaza' });

    if (FULL) {
      const ip = (await sh('bash', [join(root, 'scripts/cluster-monitoring.sh')]))
        .trim()
        .split('\n')
        .at(-1);
      prometheus = `http://${ip ?? ''}:9090`;
      const printed = (await sh('bash', [join(root, 'scripts/cluster-ingress.sh')]))
        .trim()
        .split('\n');
      ingress = { url: printed.at(-2) ?? '', ca: printed.at(-1) ?? '' };
    }

    // The install: the dev overlay, images pinned by digest. prometheus-operator's kinds are
    // dropped where this cluster does not serve them.
    const served = await cluster.kubectl(['api-resources', '--api-group=monitoring.coreos.com']);
    const overlay = writeTestOverlay({
      images,
      // A small scratch volume for detectors, so that a console outage fills their outbox's cap
      // in minutes rather than hours.
      operatorEnv: { VIGIE_DETECTOR_SCRATCH_MIB: String(SCRATCH_MIB) },
      without: [
        // Grafana can be neither built nor pulled here: its manifests are checked by
        // testing/deploy, and its pod stays out of the local run.
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'vigie-grafana',
          namespace: 'vigie-system',
        },
        ...(served.includes('PodMonitor')
          ? []
          : [
              {
                apiVersion: 'monitoring.coreos.com/v1',
                kind: 'PodMonitor',
                name: 'vigie-operator',
                namespace: 'vigie-system',
              },
              {
                apiVersion: 'monitoring.coreos.com/v1',
                kind: 'PodMonitor',
                name: 'vigie-console',
                namespace: 'vigie-system',
              },
              {
                apiVersion: 'monitoring.coreos.com/v1',
                kind: 'PrometheusRule',
                name: 'vigie-alerts',
                namespace: 'vigie-system',
              },
            ]),
      ],
    });
    await cluster.kubectl([
      'apply',
      '--server-side',
      '-f',
      join(root, 'deploy/operator/namespace.yaml'),
    ]);
    const databaseUrl = pg.url.replace('@127.0.0.1:', `@${CLUSTER.hostIp}:`);
    await cluster.kubectl(
      ['apply', '--server-side', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'vigie-console-database', namespace: 'vigie-system' },
        stringData: { url: databaseUrl },
      }),
    );
    await cluster.kubectl(['apply', '--server-side', '-k', overlay]);
    await cluster.kubectl([
      'apply',
      '--server-side',
      '-f',
      join(root, 'deploy/rbac/config-function.yaml'),
    ]);

    // The config function's identity: a ServiceAccount bound to its ClusterRole, through a
    // short-lived token, standing in for the Google service account GKE maps to a user.
    await cluster.kubectl([
      '-n',
      'vigie-system',
      'create',
      'serviceaccount',
      'vigie-config-function',
    ]);
    await cluster.kubectl([
      'create',
      'clusterrolebinding',
      'vigie-config-function',
      '--clusterrole=vigie-config-function',
      '--serviceaccount=vigie-system:vigie-config-function',
    ]);
    const token = (
      await cluster.kubectl([
        '-n',
        'vigie-system',
        'create',
        'token',
        'vigie-config-function',
        '--duration=2h',
      ])
    ).trim();
    const adminConfig = readFileSync(cluster.kubeconfig, 'utf8');
    const functionConfig = join(work, 'function.kubeconfig');
    writeFileSync(
      functionConfig,
      adminConfig
        .replace(/token: .*/, `token: ${token}`)
        .replace(/name: vigie-admin/g, 'name: vigie-config-function')
        .replace(/user: vigie-admin/g, 'user: vigie-config-function'),
      { mode: 0o600 },
    );

    gcs = await startFakeGcs({ binDir: toolsBinDir(process.env) });
    storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'vigie-test' });
    await storage.createBucket(BUCKET);
    const bundle = join(root, '.tmp/config-function-flow');
    await sh(process.execPath, [join(root, 'scripts/bundle-function.js'), bundle]);
    const port = await freePort();
    functionUrl = `http://127.0.0.1:${String(port)}/`;
    framework = spawn(
      join(root, 'node_modules/.bin/functions-framework'),
      [
        '--target=process_client_config',
        '--signature-type=cloudevent',
        `--source=${bundle}`,
        `--port=${String(port)}`,
      ],
      {
        env: {
          ...process.env,
          KUBECONFIG: functionConfig,
          VIGIE_STORAGE_ENDPOINT: gcs.endpoint,
          GOOGLE_CLOUD_PROJECT: 'vigie-test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    framework.stdout?.on('data', (b: Buffer) => (frameworkOutput += b.toString()));
    framework.stderr?.on('data', (b: Buffer) => (frameworkOutput += b.toString()));
    await until(
      'the Functions Framework',
      () => (frameworkOutput.includes('Serving function') ? true : undefined),
      30_000,
      100,
    );
  });

  after(async () => {
    for (const [name, value] of Object.entries(figures)) console.log(`# ${name}: ${value}`);
    // Whatever the start got to, as far as it got.
    framework?.kill('SIGTERM');
    await consoleSql?.close();
    await (camera as Camera | undefined)?.stop();
    await (gcs as FakeGcs | undefined)?.stop();
    await (cluster as Cluster | undefined)?.down();
    await (pg as Postgres | undefined)?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('installs from deploy/overlays/dev: two operators with one leader, and the console on PostgreSQL', async () => {
    await cluster.kubectl([
      '-n',
      'vigie-system',
      'rollout',
      'status',
      'deployment/vigie-operator',
      '--timeout=300s',
    ]);
    await cluster.kubectl([
      '-n',
      'vigie-system',
      'rollout',
      'status',
      'deployment/vigie-console',
      '--timeout=300s',
    ]);
    const operators = await pods(cluster, 'vigie-system', 'app.kubernetes.io/name=vigie-operator');
    assert.equal(operators.length, 2);
    for (const pod of operators) {
      assert.match(pod.spec.containers[0]?.image ?? '', /^localhost\/vigie\/operator@sha256:/);
    }
    const lease = await kubectlJson<{ spec: { holderIdentity?: string } }>(cluster, [
      '-n',
      'vigie-system',
      'get',
      'lease',
      'vigie-operator',
    ]);
    assert.ok(
      operators.some((p) => p.metadata.name === lease.spec.holderIdentity),
      `the leader ${String(lease.spec.holderIdentity)} is one of the operator pods`,
    );
    // The console migrated the database it was given; an admin's console API token is made
    // there, as a platform team would.
    consoleSql = createPostgresSql({ connectionString: pg.url, max: 2 });
    adminToken = await createApiToken(consoleSql, {
      subject: 'admin',
      role: 'admin',
      clients: '*',
    });
    const me = await consoleGet('/api/v1/me');
    assert.equal(me.status, 200, await me.clone().text());
  });

  it('1. applies an uploaded config as a Client, through the config function', async () => {
    uploadedAt = Date.now();
    const generation = await upload(OBJECT, plazaConfig(camera.url));
    const applied = await until('the Client', client, 60_000);
    assert.equal(applied.metadata.name, CLIENT);
    assert.match(frameworkOutput, new RegExp(`applied Client ${CLIENT}`));
    assert.ok(generation);
  });

  it('2. the operator pod makes the tenant: namespace, quota, policies, token, detector pods on the real image', async () => {
    const running = await until(
      'a detector pod Running',
      async () => {
        const list = await pods(cluster, TENANT, 'app.kubernetes.io/component=detector');
        return list.find((p) => p.status.phase === 'Running');
      },
      300_000,
      500,
    );
    figures['upload to first detector pod Running'] =
      `${((Date.now() - uploadedAt) / 1000).toFixed(1)} s`;
    assert.match(running.spec.containers[0]?.image ?? '', /^localhost\/vigie\/detector@sha256:/);
    const namespace = await kubectlJson<{ metadata: { labels: Record<string, string> } }>(cluster, [
      'get',
      'namespace',
      TENANT,
    ]);
    assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    const names = (kind: string) =>
      kubectlJson<{ items: { metadata: { name: string } }[] }>(cluster, [
        '-n',
        TENANT,
        'get',
        kind,
      ]).then((l) => l.items.map((i) => i.metadata.name).sort());
    assert.deepEqual(await names('resourcequota'), ['vigie-quota']);
    assert.deepEqual(await names('networkpolicy'), ['default-deny', 'detectors']);
    assert.ok((await names('secret')).length > 0);
  });

  it('3. the detector analyses the RTSP stream and reports the camera Up in the Client', async () => {
    const up = await until(
      'the camera Up in the Client status',
      async () => {
        const c = await client();
        return c?.status?.cameras?.find((cam) => cam.id === 'plaza' && cam.state === 'Up');
      },
      300_000,
    );
    assert.equal(up.state, 'Up');
  });

  it('4. a rule fires on people in the stream; the console pod stores the alert with its snapshot and clip', async () => {
    const [first] = await until(
      'an alert in the console',
      async () => {
        const list = await alerts();
        return list.length > 0 ? list : undefined;
      },
      300_000,
      2000,
    );
    figures['upload to first alert stored'] = `${((Date.now() - uploadedAt) / 1000).toFixed(1)} s`;
    assert.ok(first);
    assert.equal(first.client, CLIENT);
    assert.equal(first.camera, 'plaza');
    const snapshot = await until(
      'the snapshot',
      async () => {
        const r = await consoleGet(`/api/v1/alerts/${first.id}/evidence/snapshot`);
        return r.status === 200 ? r : undefined;
      },
      120_000,
      2000,
    );
    assert.equal(snapshot.headers.get('content-type'), 'image/jpeg');
    const clipResponse = await until(
      'the clip',
      async () => {
        const r = await consoleGet(`/api/v1/alerts/${first.id}/evidence/clip`);
        return r.status === 200 ? r : undefined;
      },
      180_000,
      2000,
    );
    assert.equal(clipResponse.headers.get('content-type'), 'video/mp4');
    if (ingress !== undefined) {
      // The same alert and its snapshot, from outside the cluster: through the Ingress, over TLS.
      const { url, ca } = ingress;
      const auth = { authorization: `Bearer ${adminToken}` };
      const alert = await httpsGet(new URL(`/api/v1/alerts/${first.id}`, url).href, ca, auth);
      assert.equal(alert.status, 200, alert.body.toString());
      assert.equal((JSON.parse(alert.body.toString()) as { id: string }).id, first.id);
      const image = await httpsGet(
        new URL(`/api/v1/alerts/${first.id}/evidence/snapshot`, url).href,
        ca,
        auth,
      );
      assert.equal(image.status, 200);
      assert.equal(image.headers['content-type'], 'image/jpeg');
      const anonymous = await httpsGet(new URL('/api/v1/alerts', url).href, ca);
      assert.equal(anonymous.status, 401);
    }
  });

  it(
    '5. Prometheus scrapes the detector, the operator and the console',
    { skip: !FULL && 'needs scripts/test-cluster-full.sh' },
    async () => {
      for (const metric of [
        'vigie_detector_frames_analysed_total',
        'vigie_detector_alerts_total',
        'vigie_operator_cache_objects',
        'vigie_console_ingested_total',
      ]) {
        await until(
          `${metric} in Prometheus`,
          async () => ((await promQuery(prometheus, metric)).length > 0 ? true : undefined),
          // A new ServiceMonitor reaches Prometheus through its config Secret, which the
          // kubelet refreshes in the pod within a minute or two.
          420_000,
          5000,
        );
      }
    },
  );

  it('6. stopping the camera turns the Client Degraded with reason CameraDown', async () => {
    await camera.stop();
    const degraded = await until(
      'Degraded/CameraDown',
      async () => {
        const found = condition(await client(), 'Degraded');
        return found?.status === 'True' && found.reason === 'CameraDown' ? found : undefined;
      },
      300_000,
      2000,
    );
    assert.equal(degraded.reason, 'CameraDown');
    if (FULL) {
      // The camera-down rule's `for:` is covered by promtool; here it must at least be pending.
      await until(
        'the camera-down alert pending or firing in Prometheus',
        async () => {
          const result = await promQuery(prometheus, 'ALERTS{alertname="VigieCameraDown"}');
          return result.some((r) => ['pending', 'firing'].includes(r.metric.alertstate ?? ''))
            ? true
            : undefined;
        },
        300_000,
        5000,
      );
    }
    camera = await startCamera({ clip, port: Number(new URL(camera.url).port), path: '/plaza' });
  });

  // Faults. Throughout, the alert IDs the detectors put into their outbox (each is logged once
  // it is on disk) must all end up stored by the console, each once.
  let ledger: OutboxLedger;
  let kills = 0;
  const detectorPod = () =>
    until(
      'a ready detector pod',
      async () =>
        (await pods(cluster, TENANT, 'app.kubernetes.io/component=detector')).find(
          (p) =>
            p.metadata.deletionTimestamp === undefined &&
            p.status.containerStatuses?.every((c) => c.ready) === true,
        ),
      300_000,
    );
  const storedKeys = async () =>
    select<{ ingest_key: string; n: number }>(
      consoleSql as SqlStore,
      'SELECT ingest_key, count(*)::int AS n FROM alerts WHERE client = $1 GROUP BY ingest_key',
      [CLIENT],
    );
  /** Waits until every alert put into an outbox is stored, and checks each is stored once. */
  const everyAlertStoredOnce = async () => {
    const rows = await until(
      'every alert put into an outbox to be stored',
      async () => {
        await ledger.read();
        const rows = await storedKeys();
        const keys = new Set(rows.map((r) => r.ingest_key));
        return [...ledger.ids].every((id) => keys.has(id)) ? rows : undefined;
      },
      240_000,
      2000,
    );
    assert.ok(ledger.ids.size > 0, 'alerts were put into the outbox');
    assert.deepEqual(
      rows.filter((r) => r.n !== 1),
      [],
      'each alert is stored once',
    );
    // An alert on disk whose log line a SIGKILL cut off is stored without being in the ledger:
    // at most one per kill.
    const unlogged = rows.filter((r) => !ledger.ids.has(r.ingest_key));
    assert.ok(unlogged.length <= kills, `stored but never put: ${JSON.stringify(unlogged)}`);
    return rows.length;
  };
  /** Waits for an alert put into the outbox after the ones already seen. */
  const nextAlert = async () => {
    const seen = new Set(ledger.ids);
    await until(
      'a new alert from the detector',
      async () => {
        await ledger.read();
        return [...ledger.ids].some((id) => !seen.has(id)) ? true : undefined;
      },
      300_000,
      2000,
    );
  };

  it('SIGKILL of the detector container: the alerts in its outbox are delivered after the restart', async () => {
    ledger = new OutboxLedger(cluster, TENANT);
    await nextAlert();
    const pod = await detectorPod();
    const id = (pod.status.containerStatuses?.[0]?.containerID ?? '').replace('containerd://', '');
    assert.ok(id);
    await ledger.readPod(pod);
    kills++;
    await ctr(clusterDir(), ['task', 'kill', '--signal', 'SIGKILL', id]);
    await until(
      'the detector container restarted',
      async () => {
        const [now] = await pods(cluster, TENANT, `app.kubernetes.io/component=detector`);
        const status = now?.status.containerStatuses?.[0];
        return status !== undefined && status.restartCount > 0 && status.ready ? true : undefined;
      },
      300_000,
    );
    await nextAlert();
    figures['alerts stored after SIGKILL'] = String(await everyAlertStoredOnce());
  });

  it('deleting the detector pod: it delivers its outbox on the way out, and a new pod takes over', async () => {
    const old = await detectorPod();
    await cluster.kubectl(['-n', TENANT, 'delete', 'pod', old.metadata.name, '--wait=false']);
    // Its logs are read until the pod is gone, so that no alert it queued goes unseen.
    await until(
      'the old pod gone',
      async () => {
        const [still] = (
          await pods(cluster, TENANT, 'app.kubernetes.io/component=detector')
        ).filter((p) => p.metadata.name === old.metadata.name);
        if (still === undefined) return true;
        await ledger.readPod(still);
        return undefined;
      },
      120_000,
      500,
    );
    const replacement = await detectorPod();
    assert.notEqual(replacement.metadata.name, old.metadata.name);
    await nextAlert();
    figures['alerts stored after pod deletion'] = String(await everyAlertStoredOnce());
  });

  it('killing the operator leader: the standby takes over, and a change made meanwhile converges', async () => {
    const lease = () =>
      kubectlJson<{ spec: { holderIdentity?: string } }>(cluster, [
        '-n',
        'vigie-system',
        'get',
        'lease',
        'vigie-operator',
      ]);
    const leader = (await lease()).spec.holderIdentity ?? '';
    await cluster.kubectl([
      '-n',
      'vigie-system',
      'delete',
      'pod',
      leader,
      '--grace-period=0',
      '--force',
    ]);
    await upload(
      OBJECT,
      plazaConfig(camera.url).replace(
        '</zones>',
        '  <zone id="kiosk" type="shelf" name="Kiosk" points="0.05,0.05 0.2,0.05 0.2,0.2 0.05,0.2"/>\n      </zones>',
      ),
    );
    const holder = await until(
      'a new leader',
      async () => {
        const now = (await lease()).spec.holderIdentity;
        return now !== undefined && now !== leader ? now : undefined;
      },
      120_000,
    );
    assert.notEqual(holder, leader);
    await until(
      'the new zone in the detector config',
      async () =>
        (await cluster.kubectl(['-n', TENANT, 'get', 'configmaps', '-o', 'json'])).includes('kiosk')
          ? true
          : undefined,
      180_000,
    );
    const converged = await until(
      'the Client to be observed at its generation',
      async () => {
        const c = await client();
        return c !== undefined && c.status?.observedGeneration === c.metadata.generation
          ? c
          : undefined;
      },
      180_000,
    );
    assert.ok(converged);
  });

  it('a broken XML upload: the last good config keeps running, and the report says why', async () => {
    const before_ = await client();
    const running = (await pods(cluster, TENANT, 'app.kubernetes.io/component=detector')).map(
      (p) => p.metadata.name,
    );
    await upload(OBJECT, '<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="plaza">');
    const [report] = await storage.bucket(BUCKET).file(`${OBJECT}.report.json`).download();
    const parsed = JSON.parse(report.toString('utf8')) as {
      status: string;
      problems: { code: string; text: string }[];
    };
    assert.notEqual(parsed.status, 'applied');
    assert.ok(parsed.problems.length > 0, report.toString('utf8'));
    assert.match(parsed.problems[0]?.code ?? '', /^VIGIE_E_/);
    const after_ = await client();
    assert.equal(after_?.metadata.generation, before_?.metadata.generation);
    assert.deepEqual(
      (await pods(cluster, TENANT, 'app.kubernetes.io/component=detector')).map(
        (p) => p.metadata.name,
      ),
      running,
    );
    await nextAlert();
  });

  it('a console outage long enough to fill the outbox: evidence is shed, the pod is kept, every alert is stored once', async () => {
    const pod = await detectorPod();
    const restarts = pod.status.containerStatuses?.[0]?.restartCount ?? 0;
    await cluster.kubectl([
      '-n',
      'vigie-system',
      'scale',
      'deployment/vigie-console',
      '--replicas=0',
    ]);
    await until(
      'the console gone',
      async () =>
        (await pods(cluster, 'vigie-system', 'app.kubernetes.io/name=vigie-console')).length === 0
          ? true
          : undefined,
      120_000,
    );
    const started = Date.now();
    await until(
      'the outbox full, shedding evidence',
      async () =>
        (
          await cluster.kubectl(['-n', TENANT, 'logs', pod.metadata.name, '-c', 'detector'])
        ).includes('the outbox is full')
          ? true
          : undefined,
      900_000,
      5000,
    );
    figures[`console outage until the outbox (${String(SCRATCH_MIB / 2)} MiB) was full`] =
      `${((Date.now() - started) / 1000).toFixed(0)} s`;
    await ledger.read();
    await cluster.kubectl([
      '-n',
      'vigie-system',
      'scale',
      'deployment/vigie-console',
      '--replicas=1',
    ]);
    const same = await detectorPod();
    assert.equal(same.metadata.name, pod.metadata.name, 'the pod was neither evicted nor replaced');
    assert.equal(same.status.containerStatuses?.[0]?.restartCount ?? 0, restarts);
    figures['alerts stored after the outage'] = String(await everyAlertStoredOnce());
  });

  it('NetworkPolicies are enforced between tenants and around detectors, and the same connections pass without them', async () => {
    await upload(
      `client-configs/${ANNEX}.xml`,
      plazaConfig(`rtsp://${CLUSTER.hostIp}:9/none`)
        .replace('id="plaza"', `id="${ANNEX}"`)
        // A small shard: with the plaza's, it must fit a 2-CPU node.
        .replace('</cameras>', '</cameras>\n  <resources cpu="250m"/>'),
    );
    const annex = await until(
      'the annex detector pod Running',
      async () =>
        (await pods(cluster, `vigie-${ANNEX}`, 'app.kubernetes.io/component=detector')).find(
          (p) => p.status.phase === 'Running' && p.status.podIP !== undefined,
        ),
      300_000,
      2000,
    );
    const plaza = await detectorPod();
    const [consolePod] = await pods(
      cluster,
      'vigie-system',
      'app.kubernetes.io/name=vigie-console',
    );
    const [dnsPod] = await pods(cluster, 'kube-system', 'k8s-app=kube-dns');
    const ip = (p: { status: { podIP?: string } } | undefined) => p?.status.podIP ?? 'none';
    const image = clusterImages(clusterDir()).console ?? '';
    let probes = 0;
    /** From a pod in the annex tenant's namespace to the plaza detector's only open port. */
    const fromAnnex = async () => {
      const name = `probe-${String(probes++)}`;
      const namespace = `vigie-${ANNEX}`;
      await cluster.kubectl(
        ['apply', '-f', '-'],
        probePod({ namespace, name, image, script: connectScript([`${ip(plaza)}:9464`]) }),
      );
      await cluster.kubectl([
        '-n',
        namespace,
        'wait',
        `pod/${name}`,
        '--for=jsonpath={.status.phase}=Succeeded',
        '--timeout=120s',
      ]);
      const printed = await cluster.kubectl(['-n', namespace, 'logs', name]);
      await cluster.kubectl(['-n', namespace, 'delete', 'pod', name, '--wait=false']);
      return JSON.parse(printed) as Record<string, string>;
    };
    const allowed = `${ip(consolePod)}:8080`;
    // The console's metrics port is refused by the console's own policy as well, so it stays
    // out of the negative control.
    const consoleMetrics = `${ip(consolePod)}:9464`;
    const refused = [
      `${CLUSTER.hostIp}:${String(pg.port)}`,
      `${ip(dnsPod)}:8080`,
      `${ip(annex)}:9464`,
    ];
    /** From the plaza detector itself: the console, then what its policy does not list. */
    const fromDetector = async () =>
      JSON.parse(
        await cluster.kubectl([
          '-n',
          TENANT,
          'exec',
          plaza.metadata.name,
          '-c',
          'detector',
          '--',
          'node',
          '-e',
          connectScript([allowed, consoleMetrics, ...refused]),
        ]),
      ) as Record<string, string>;

    assert.deepEqual(Object.values(await fromAnnex()), ['closed'], 'tenant to tenant');
    const detector = await fromDetector();
    assert.equal(detector[allowed], 'open', 'the detector reaches the console');
    assert.equal(detector[consoleMetrics], 'closed', consoleMetrics);
    for (const target of refused) assert.equal(detector[target], 'closed', target);

    // The negative control: the same connections without the policies (the operator, which
    // would put them back, is stopped meanwhile).
    try {
      await cluster.kubectl([
        '-n',
        'vigie-system',
        'scale',
        'deployment/vigie-operator',
        '--replicas=0',
      ]);
      await until(
        'the operators gone',
        async () =>
          (await pods(cluster, 'vigie-system', 'app.kubernetes.io/name=vigie-operator')).length ===
          0
            ? true
            : undefined,
        120_000,
      );
      for (const namespace of [TENANT, `vigie-${ANNEX}`]) {
        await cluster.kubectl(['-n', namespace, 'delete', 'networkpolicies', '--all']);
      }
      await until(
        'the connections open without the policies',
        async () => {
          const annexNow = await fromAnnex();
          const detectorNow = await fromDetector();
          return Object.values(annexNow).every((v) => v === 'open') &&
            refused.every((t) => detectorNow[t] === 'open')
            ? true
            : undefined;
        },
        120_000,
        2000,
      );
    } finally {
      await cluster.kubectl([
        '-n',
        'vigie-system',
        'scale',
        'deployment/vigie-operator',
        '--replicas=2',
      ]);
    }
    await until(
      'the operator to put the policies back and the connections closed again',
      async () => {
        const annexNow = await fromAnnex();
        const detectorNow = await fromDetector();
        return Object.values(annexNow).every((v) => v === 'closed') &&
          refused.every((t) => detectorNow[t] === 'closed')
          ? true
          : undefined;
      },
      180_000,
      2000,
    );
  });

  it('rolling the detector image to a new digest: every shard rolls, no alert is lost, nothing is left Pending', async () => {
    const ref = await sh('bash', [
      '-c',
      `set -euo pipefail
cache=\${VIGIE_CACHE:-\${XDG_CACHE_HOME:-$HOME/.cache}/vigie}
bah() { buildah --root "$cache/containers/storage" --runroot "$cache/containers/run" --storage-driver overlay "$@"; }
exec 9>"$cache/build-images.lock"; flock 9
ctr=$(bah from --quiet localhost/vigie/detector:dev)
bah config --label "vigie.dev/roll=${randomUUID()}" "$ctr"
bah commit --quiet --rm "$ctr" localhost/vigie/detector:roll >/dev/null
rm -f "${work}/roll.tar"
bah push --quiet localhost/vigie/detector:roll "oci-archive:${work}/roll.tar:localhost/vigie/detector:roll"
c() { ctr --address "${clusterDir()}/containerd.sock" --namespace k8s.io "$@"; }
c images import "${work}/roll.tar" >/dev/null
digest=$(c images ls | awk '$1 == "localhost/vigie/detector:roll" { print $3 }')
c images tag --force localhost/vigie/detector:roll "localhost/vigie/detector@$digest" >/dev/null
echo "localhost/vigie/detector@$digest"`,
    ]);
    const image = ref.trim();
    assert.match(image, /^localhost\/vigie\/detector@sha256:/);
    // The rollout deletes the pod: its log is followed to its last line.
    const followed = (await pods(cluster, TENANT, 'app.kubernetes.io/component=detector')).map(
      (p) => ledger.follow(p),
    );
    await cluster.kubectl([
      '-n',
      'vigie-system',
      'set',
      'env',
      'deployment/vigie-operator',
      `VIGIE_DETECTOR_IMAGE=${image}`,
    ]);
    for (const namespace of [TENANT, `vigie-${ANNEX}`]) {
      await until(
        `every detector of ${namespace} on the new image`,
        async () => {
          const list = await pods(cluster, namespace, 'app.kubernetes.io/component=detector');
          return list.length > 0 &&
            list.every(
              (p) =>
                p.spec.containers[0]?.image === image &&
                p.status.containerStatuses?.every((c) => c.ready) === true,
            )
            ? true
            : undefined;
        },
        600_000,
        2000,
      );
    }
    await until(
      'no pod Pending on the node',
      async () =>
        (
          await cluster.kubectl([
            'get',
            'pods',
            '-A',
            '--field-selector=status.phase=Pending',
            '-o',
            'name',
          ])
        ).trim() === ''
          ? true
          : undefined,
      120_000,
    );
    await Promise.all(followed);
    await nextAlert();
    figures['alerts stored after the image roll'] = String(await everyAlertStoredOnce());
  });

  it('deleting the Client removes everything it made', async () => {
    const [metadata] = await storage.bucket(BUCKET).file(OBJECT).getMetadata();
    await storage.bucket(BUCKET).file(OBJECT).delete();
    await deliver(OBJECT, String(metadata.generation), String(metadata.size), DELETED);
    await until(
      'the Client gone',
      async () => ((await client()) === undefined ? true : undefined),
      60_000,
    );
    await until(
      'the tenant namespace gone',
      async () => {
        const namespaces = await cluster.kubectl(['get', 'namespaces', '-o', 'name']);
        return namespaces.includes(`namespace/${TENANT}`) ? undefined : true;
      },
      300_000,
      2000,
    );
    const roles = await cluster.kubectl(['get', 'clusterroles,clusterrolebindings', '-o', 'name']);
    assert.doesNotMatch(roles, new RegExp(`vigie-detector-${CLIENT}`));
  });
});
