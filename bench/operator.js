#!/usr/bin/env node
// Benchmark: the operator against a real control plane with kwok nodes.
// Creates N Clients (default 1,000) of 8 cameras each (2 detector shards each, the default shard
// size) and prints: the time until every Client is Ready, the operator's peak RSS, and the
// operator's API writes per minute while idle afterwards (across a full resync). Asserts nothing.
// Needs `npm run build` and `scripts/ensure-tools.sh`.
//
//   node bench/operator.js [clients=1000] [idleSeconds=60]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildClientCrd, CLIENT_SCHEMA, parseClientConfig, toClientResource } from '@vigie/config';
import { KubeClient, TYPES, collectionPath, fromKubeconfigFile, objectPath } from '@vigie/operator';
import { installCrd, repoRoot, startControlPlane, toolsBinDir } from '@vigie/testenv';
import { parseAllDocuments } from 'yaml';

/** The operator's Node.js flags, as the shipped Deployment sets them: measured as deployed. */
function deployedNodeOptions() {
  const text = readFileSync(join(repoRoot(), 'deploy/operator/deployment.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS();
    if (object?.kind !== 'Deployment') continue;
    const env = object.spec.template.spec.containers[0].env ?? [];
    return env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
  }
  return '';
}

/** CPU seconds of a process (user + system), from /proc; 0 when it is gone. */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds per control-plane component (the processes started in `dir`), and the operator's. */
function cpuByComponent(dir, operatorPid) {
  const seconds = { operator: cpuSecondsOf(operatorPid) };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== dir) continue;
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      seconds[name] = (seconds[name] ?? 0) + cpuSecondsOf(entry);
    } catch {
      // Gone, or not ours.
    }
  }
  return seconds;
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat. */
function machineCpu() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/);
  const values = ticks.map(Number);
  const idle = values[3] + values[4];
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

const count = Number(process.argv[2] ?? 1000);
const idleSeconds = Number(process.argv[3] ?? 60);
const log = (message) => console.error(`bench: ${message}`);

const base = parseClientConfig(readFileSync(join(repoRoot(), 'examples/minimal.xml')));
if (!base.ok) throw new Error('examples/minimal.xml is invalid');
const template = toClientResource(base.config);
const camera = template.spec.cameras[0];
const spec = {
  ...template.spec,
  cameras: Array.from({ length: 8 }, (_, i) => ({
    ...camera,
    id: `cam-${String(i)}`,
    stream: { ...camera.stream, url: `rtsp://10.1.${String(i)}.1:554/stream1` },
  })),
};

log('starting the control plane with 4 kwok nodes');
const cp = await startControlPlane({
  binDir: toolsBinDir(process.env),
  nodes: 4,
  podsPerNode: 1000,
});
let operator;
try {
  await installCrd(cp.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
  const api = new KubeClient(fromKubeconfigFile(cp.kubeconfigPath));

  operator = spawn(process.execPath, [join(repoRoot(), 'apps/operator/dist/main.js')], {
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: deployedNodeOptions(),
      KUBECONFIG: cp.kubeconfigPath,
      VIGIE_LEADER_ELECT: 'false',
      VIGIE_WORKERS: '16',
      VIGIE_RESYNC_SECONDS: String(Math.max(10, Math.floor(idleSeconds / 2))),
      VIGIE_METRICS_ADDR: '127.0.0.1:0',
      VIGIE_PROBE_ADDR: '127.0.0.1:0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let metricsPort;
  let out = '';
  operator.stdout.setEncoding('utf8').on('data', (chunk) => {
    out = (out + chunk).slice(-4096);
    const started = /"metricsPort":(\d+)/.exec(out);
    if (started && metricsPort === undefined) metricsPort = Number(started[1]);
  });
  const metricsText = async () => {
    const res = await fetch(`http://127.0.0.1:${String(metricsPort)}/metrics`);
    return res.text();
  };
  const sum = (text, name, filter = () => true) =>
    text
      .split('\n')
      .map((line) => /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line))
      .filter((m) => m && m[1] === name && filter(m[2] ?? ''))
      .reduce((n, m) => n + Number(m[3]), 0);
  const writes = async () =>
    sum(
      await metricsText(),
      'rest_client_requests_total',
      (labels) => !labels.includes('method="GET"'),
    );

  // The operator logs the ports it listens on once started.
  for (let i = 0; metricsPort === undefined && i < 600; i++) await sleep(100);
  if (metricsPort === undefined) throw new Error('the operator did not start');

  log(`creating ${String(count)} Clients of 8 cameras`);
  const cpuBefore = cpuByComponent(cp.dir, operator.pid);
  const machineBefore = machineCpu();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const name = `store-${String(next++).padStart(4, '0')}`;
        await api.request(objectPath(TYPES.Client, name), {
          method: 'PATCH',
          query: { fieldManager: 'bench', force: 'true' },
          contentType: 'application/apply-patch+yaml',
          body: { apiVersion: 'vigie.dev/v1alpha1', kind: 'Client', metadata: { name }, spec },
        });
      }
    }),
  );
  const created = (performance.now() - started) / 1000;
  log(`created in ${created.toFixed(1)} s; waiting for every Client to be Ready`);

  let ready = 0;
  for (;;) {
    const list = await api.request(collectionPath(TYPES.Client), { timeoutMs: 120_000 });
    ready = list.items.filter((c) =>
      c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
    ).length;
    if (ready === count) break;
    const elapsed = (performance.now() - started) / 1000;
    log(`${String(ready)}/${String(count)} Ready after ${elapsed.toFixed(0)} s`);
    if (elapsed > 1800) throw new Error('not converged within 30 minutes');
    await sleep(5000);
  }
  const converged = (performance.now() - started) / 1000;
  const cpuAfter = cpuByComponent(cp.dir, operator.pid);
  const machineAfter = machineCpu();
  log(`all Ready after ${converged.toFixed(1)} s; measuring ${String(idleSeconds)} s of idle`);

  // Let trailing status updates from the Deployments settle first.
  await sleep(10_000);
  const before = await writes();
  const reconcilesBefore = sum(await metricsText(), 'controller_runtime_reconcile_total');
  await sleep(idleSeconds * 1000);
  const after = await writes();
  const reconcilesAfter = sum(await metricsText(), 'controller_runtime_reconcile_total');
  const heapUsed = sum(await metricsText(), 'nodejs_heap_size_used_bytes');
  const status = readFileSync(`/proc/${String(operator.pid)}/status`, 'utf8');
  const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);

  console.log(`clients: ${String(count)} x 8 cameras (${String(count * 2)} detector Deployments)`);
  console.log(
    `operator NODE_OPTIONS, as in deploy/operator/deployment.yaml: ${deployedNodeOptions() || '(none)'}`,
  );
  console.log(`time to apply the Clients: ${created.toFixed(1)} s`);
  console.log(`time until all Ready: ${converged.toFixed(1)} s (target < 120 s)`);
  console.log(
    `operator peak RSS: ${(peakKb / 1024).toFixed(0)} MiB (now ${(rssKb / 1024).toFixed(0)} MiB; target < 200 MB; heap in use ${(heapUsed / 1048576).toFixed(0)} MiB)`,
  );
  // Where the machine's CPU went until convergence: the operator shares it with the whole
  // control plane, so this says how much of the time the operator itself can win back.
  const spent = Object.entries(cpuAfter)
    .map(([name, seconds]) => [name, seconds - (cpuBefore[name] ?? 0)])
    .sort((a, b) => b[1] - a[1]);
  const busy = machineAfter.busy - machineBefore.busy;
  const total = machineAfter.total - machineBefore.total;
  console.log(
    `CPU until all Ready: machine ${String(Math.round((busy / total) * 100))}% busy (${busy.toFixed(0)} of ${total.toFixed(0)} CPU-seconds); ` +
      spent
        .map(
          ([name, seconds]) =>
            `${name} ${seconds.toFixed(0)} s (${String(Math.round((seconds / busy) * 100))}%)`,
        )
        .join(', '),
  );
  console.log(
    `idle API writes: ${String(after - before)} in ${String(idleSeconds)} s = ${(((after - before) * 60) / idleSeconds).toFixed(1)}/min (target 0), across ${String(reconcilesAfter - reconcilesBefore)} idle reconciles (resyncs)`,
  );
} finally {
  operator?.kill('SIGTERM');
  await cp.stop();
}
