#!/usr/bin/env node
// Benchmark: process_client_config against fake-gcs-server and a real API server on loopback.
// Prints the time from an event being received to its Client being applied (p50, p99) over
// 200 uploads, and the time to process 1,000 distinct client files. Asserts nothing.
// Needs `npm run build` and `scripts/ensure-tools.sh`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { Storage } from '@google-cloud/storage';
import { KubeConfig } from '@kubernetes/client-node';
import { buildClientCrd, CLIENT_SCHEMA } from '@vigie/config';
import {
  createGcsObjectStore,
  createKubeClientStore,
  FINALIZED,
  FUNCTION_NAME,
  registerFunction,
} from '@vigie/config-function';
import { installCrd, repoRoot, startControlPlane, startFakeGcs, toolsBinDir } from '@vigie/testenv';

const BUCKET = 'bench-configs';
const uploads = Number(process.argv[2] ?? 200);
const distinct = Number(process.argv[3] ?? 1000);
const concurrency = Number(process.argv[4] ?? 8);
const minimal = readFileSync(join(repoRoot(), 'examples/minimal.xml'), 'utf8');
const config = (id, name) =>
  minimal.replace('id="corner-shop"', `id="${id}"`).replace('name="Corner Shop"', `name="${name}"`);

const binDir = toolsBinDir(process.env);
console.error('bench: starting the control plane and fake-gcs-server');
const [cp, gcs] = await Promise.all([
  startControlPlane({ binDir, controllers: false }),
  startFakeGcs({ binDir }),
]);
try {
  const kc = new KubeConfig();
  kc.loadFromString(cp.kubeconfig);
  await installCrd(cp.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
  const storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'bench' });
  await storage.createBucket(BUCKET);

  // Record when each apply completes, to measure event received → Client applied.
  const kube = createKubeClientStore(() => kc);
  const applied = new Map();
  registerFunction({
    objects: createGcsObjectStore(storage),
    clients: {
      ...kube,
      apply: async (r) => {
        await kube.apply(r);
        applied.set(r.spec.source.generation, performance.now());
      },
    },
    log: () => {},
  });
  const server = getTestServer(FUNCTION_NAME);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;

  const deliver = async (name, generation) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-type': FINALIZED,
        'ce-source': `//storage.googleapis.com/projects/_/buckets/${BUCKET}`,
        'ce-id': `${name}#${generation}`,
        'ce-time': new Date().toISOString(),
      },
      body: JSON.stringify({ bucket: BUCKET, name, generation, size: '500' }),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  };
  const upload = async (name, content) => {
    const file = storage.bucket(BUCKET).file(name);
    await file.save(content, { resumable: false });
    return String(file.metadata.generation);
  };
  const percentile = (sorted, p) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

  // 1. Repeated uploads of one client: event received → Client applied, and → invocation done.
  const toApplied = [];
  const toDone = [];
  for (let i = 0; i < uploads + 10; i++) {
    const generation = await upload('client-configs/acme.xml', config('acme', `ACME ${i}`));
    const start = performance.now();
    await deliver('client-configs/acme.xml', generation);
    if (i < 10) continue; // warm-up
    toApplied.push(applied.get(generation) - start);
    toDone.push(performance.now() - start);
  }
  toApplied.sort((a, b) => a - b);
  toDone.sort((a, b) => a - b);
  console.log(
    `event → Client applied, ${uploads} uploads: p50 ${percentile(toApplied, 0.5).toFixed(1)} ms, p99 ${percentile(toApplied, 0.99).toFixed(1)} ms`,
  );
  console.log(
    `event → invocation done (reports written), ${uploads} uploads: p50 ${percentile(toDone, 0.5).toFixed(1)} ms, p99 ${percentile(toDone, 0.99).toFixed(1)} ms`,
  );

  // 2. Many distinct clients, delivered `concurrency` at a time as Eventarc would.
  console.error(`bench: uploading ${distinct} client files`);
  const files = [];
  for (let i = 0; i < distinct; i++) {
    const id = `store-${String(i).padStart(4, '0')}`;
    files.push([
      `client-configs/${id}.xml`,
      await upload(`client-configs/${id}.xml`, config(id, `Store ${i}`)),
    ]);
  }
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < files.length) {
        const [name, generation] = files[next++];
        await deliver(name, generation);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${distinct} distinct client files processed in ${seconds.toFixed(1)} s (${(distinct / seconds).toFixed(0)} files/s, ${concurrency} concurrent deliveries)`,
  );
  console.log(`node ${process.version}, ${process.arch}; loopback API server and fake-gcs-server`);
  server.close();
} finally {
  await Promise.all([cp.stop(), gcs.stop()]);
}
