/**
 * Every Grafana dashboard panel shows data: a real Prometheus (Debian's) scrapes live Vigie
 * components (the operator reconciling a Client on a real API server, and `vigie up`'s console
 * and detectors analysing the sample store), and each panel's query, run through Prometheus's
 * HTTP API, must return at least one series.
 */

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildClientCrd, CLIENT_SCHEMA, parseClientConfig, toClientResource } from '@vigie/config';
import type { LocalPlatform } from '@vigie/local';
import { startLocalPlatform } from '@vigie/local';
import { silentLogger } from '@vigie/log';
import type { Operator } from '@vigie/operator';
import {
  DEFAULT_SETTINGS,
  fromKubeconfigFile,
  KubeClient,
  objectPath,
  startOperator,
  TYPES,
} from '@vigie/operator';
import type { ControlPlane } from '@vigie/testenv';
import { freePort, installCrd, repoRoot, startControlPlane, toolsBinDir } from '@vigie/testenv';
import { stringify } from 'yaml';

interface Dashboard {
  readonly title: string;
  readonly panels: readonly {
    readonly title: string;
    readonly targets: readonly { expr: string }[];
  }[];
}

const root = repoRoot();
const work = mkdtempSync(join(tmpdir(), 'vigie-dashboards-'));
let cp: ControlPlane;
let operator: Operator;
let platform: LocalPlatform;
let prometheus: ChildProcess | undefined;
let prometheusUrl = '';
let prometheusLog = '';
/** The namespace label the detectors' scrape gives, as a PodMonitoring would. */
const NAMESPACE = 'vigie-demo-store';

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  seconds = 90,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what} ${last}\n${prometheusLog.slice(-2000)}`);
}

async function query(expr: string): Promise<unknown[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { result: unknown[] };
  };
  if (body.status !== 'success')
    throw new Error(`${expr}: ${body.error ?? String(response.status)}`);
  return body.data?.result ?? [];
}

before(async () => {
  // The operator, reconciling one Client on a real API server.
  cp = await startControlPlane({ binDir: toolsBinDir(process.env), controllers: false });
  await installCrd(cp.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
  operator = await startOperator({
    connection: fromKubeconfigFile(cp.kubeconfigPath),
    settings: DEFAULT_SETTINGS,
    identity: 'dashboards',
    leaderElection: false,
    metricsAddress: '127.0.0.1:0',
    probeAddress: '127.0.0.1:0',
    log: silentLogger,
  });
  const config = parseClientConfig(readFileSync(join(root, 'examples/minimal.xml')));
  assert.ok(config.ok);
  const resource = toClientResource(config.config);
  await new KubeClient(fromKubeconfigFile(cp.kubeconfigPath)).request(
    objectPath(TYPES.Client, resource.metadata.name),
    {
      method: 'PATCH',
      query: { fieldManager: 'vigie-test', force: 'true' },
      contentType: 'application/apply-patch+yaml',
      body: resource,
    },
  );

  // The console and the detectors of `vigie up`, with the sample store.
  platform = await startLocalPlatform({
    dataDir: join(work, 'data'),
    host: '127.0.0.1',
    port: 0,
    sample: true,
    log: silentLogger,
  });
  const detectors = await until('the sample store’s detectors', () => {
    const shards = platform.supervisor.shards();
    return Promise.resolve(
      shards.length > 0 && shards.every((s) => s.state === 'running') ? shards : undefined,
    );
  });
  // An alert, reviewed, so that alert and review series exist.
  const token = platform.adminToken;
  const alert = await until('the first alert', async () => {
    const response = await fetch(`${platform.url}/api/v1/alerts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { alerts: { id: string }[] }).alerts[0];
  });
  const reviewed = await fetch(`${platform.url}/api/v1/alerts/${alert.id}/review`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ verdict: 'confirmed' }),
  });
  assert.equal(reviewed.status, 200);

  // Prometheus, scraping all of them every second.
  const consoleMetrics = new URL(platform.metricsUrl).host;
  const configPath = join(work, 'prometheus.yml');
  writeFileSync(
    configPath,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        { job_name: 'vigie-console', static_configs: [{ targets: [consoleMetrics] }] },
        {
          job_name: 'vigie-operator',
          static_configs: [{ targets: [`127.0.0.1:${String(operator.ports.metrics)}`] }],
        },
        {
          job_name: 'vigie-detector',
          static_configs: [
            {
              targets: detectors.map((d) => `127.0.0.1:${String(d.port)}`),
              labels: { namespace: NAMESPACE },
            },
          ],
        },
      ],
    }),
  );
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${String(port)}`;
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(work, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${String(port)}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.on('error', () => {
    prometheusLog += 'prometheus could not start: install the Debian package "prometheus"';
  });
  prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusLog += chunk.toString()));
  await until('Prometheus to be ready', async () =>
    (await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined,
  );
  // Every target up, and a few scrapes behind us for the rates.
  await until('every target scraped', async () => {
    const up = await query('up == 1');
    return up.length === 2 + detectors.length ? true : undefined;
  });
});

after(async () => {
  prometheus?.kill('SIGTERM');
  await platform.stop();
  await operator.stop();
  await cp.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('Grafana dashboards against live components', () => {
  const dir = join(root, 'deploy/monitoring/grafana/dashboards');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard;
    it(`${dashboard.title}: every panel's query returns data`, async () => {
      assert.ok(dashboard.panels.length >= 6);
      for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
          const expr = target.expr.replaceAll('$namespace', NAMESPACE);
          await until(
            `data for "${panel.title}" (${expr})`,
            async () => ((await query(expr)).length > 0 ? true : undefined),
            60,
          );
        }
      }
    });
  }
});
