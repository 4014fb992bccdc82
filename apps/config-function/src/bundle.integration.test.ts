import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Storage } from '@google-cloud/storage';
import type { ControlPlane, FakeGcs } from '@vigie/testenv';
import { repoRoot, startFakeGcs, toolsBinDir } from '@vigie/testenv';
import { FINALIZED } from './events.js';
import type { ClientCluster } from './test-cluster.js';
import { startClientCluster } from './test-cluster.js';

const root = repoRoot();
const bundle = join(root, '.tmp/config-function-test');
let cp: ControlPlane;
let gcs: FakeGcs;
let framework: ChildProcess;
let url: string;
let output = '';

before(async () => {
  execFileSync(process.execPath, [join(root, 'scripts/bundle-function.js'), bundle]);
  let cluster: ClientCluster;
  [cluster, gcs] = await Promise.all([
    startClientCluster(),
    startFakeGcs({ binDir: toolsBinDir(process.env) }),
  ]);
  cp = cluster.controlPlane;
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => {
        resolve(typeof a === 'object' && a !== null ? a.port : 0);
      });
    });
  });
  url = `http://127.0.0.1:${String(port)}/`;
  // The deployable as Cloud Functions runs it: the bundle, under the Functions Framework binary,
  // configured by the environment only.
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
        KUBECONFIG: cp.kubeconfigPath,
        VIGIE_STORAGE_ENDPOINT: gcs.endpoint,
        GOOGLE_CLOUD_PROJECT: 'vigie-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  framework.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  framework.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  for (let i = 0; i < 200; i++) {
    if (output.includes('Serving function')) return;
    await sleep(50);
  }
  throw new Error(`the Functions Framework did not start:\n${output}`);
});

after(async () => {
  framework.kill('SIGTERM');
  await Promise.all([cp.stop(), gcs.stop()]);
  rmSync(bundle, { recursive: true, force: true });
});

describe('the bundled function under the Functions Framework binary', () => {
  it('applies an uploaded config and logs JSON for Cloud Logging', async () => {
    const storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'vigie-test' });
    await storage.createBucket('configs');
    const file = storage.bucket('configs').file('client-configs/corner-shop.xml');
    await file.save(readFileSync(join(root, 'examples/minimal.xml')), { resumable: false });
    const generation = String(file.metadata.generation);
    let status = 0;
    for (let i = 0; i < 50 && status !== 204; i++) {
      // The CRD may still be getting established: a failed invocation is retried, as Eventarc would.
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'ce-specversion': '1.0',
          'ce-type': FINALIZED,
          'ce-source': '//storage.googleapis.com/projects/_/buckets/configs',
          'ce-id': String(i),
          'ce-time': new Date().toISOString(),
        },
        body: JSON.stringify({
          bucket: 'configs',
          name: 'client-configs/corner-shop.xml',
          generation,
          size: '600',
        }),
      });
      status = response.status;
      if (status !== 204) await sleep(100);
    }
    assert.equal(status, 204, output);
    const logLine = output.split('\n').find((l) => l.includes('applied Client corner-shop'));
    assert.ok(logLine, output);
    const entry = JSON.parse(logLine) as Record<string, unknown>;
    assert.equal(entry.severity, 'INFO');
    assert.equal(entry.client, 'corner-shop');
    assert.equal(entry.generation, generation);
  });
});
