/**
 * The whole of Vigie's production path on the real one-node cluster, as the flow test drives
 * it: the install from `deploy/overlays/dev` pinned to the locally built images by digest, a
 * real PostgreSQL the console pod reaches, the config function under the Functions Framework
 * reading fake-gcs-server, and a real RTSP camera on the host. Test-only.
 */

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect, promisify } from 'node:util';
import { repoRoot, toolsBinDir } from '@vigie/testenv';
import { CLUSTER, type Cluster } from './index.js';

const run = promisify(execFile);

/** The references `scripts/cluster-up.sh` wrote to `images.env`, by image name. */
export function clusterImages(dir: string): Readonly<Record<string, string>> {
  const images: Record<string, string> = {};
  for (const line of readFileSync(join(dir, 'images.env'), 'utf8').split('\n')) {
    const match = /^VIGIE_IMAGE_([A-Z0-9_]+)=(\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      images[match[1].toLowerCase().replaceAll('_', '-')] = match[2];
    }
  }
  return images;
}

/** The cluster's state folder (`VIGIE_CLUSTER_DIR`, as the scripts read it). */
export function clusterDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIE_CLUSTER_DIR ?? '/var/lib/vigie-cluster';
}

/** What the test overlay changes in `deploy/overlays/dev`. */
export interface OverlayOptions {
  /** `localhost/vigie/NAME@sha256:…`, by NAME (operator, console, detector). */
  readonly images: Readonly<Record<string, string>>;
  /** More environment for the operator, such as a smaller scratch volume for detectors. */
  readonly operatorEnv?: Readonly<Record<string, string>>;
  /** Kinds of the dev overlay whose API this cluster does not serve, dropped from the install. */
  readonly without?: readonly {
    apiVersion: string;
    kind: string;
    name: string;
    namespace: string;
  }[];
}

/**
 * Writes a kustomization over `deploy/overlays/dev` that pins Vigie's images by digest, the way
 * a production overlay does, and returns its folder (under the clone's ignored `.tmp/`).
 */
export function writeTestOverlay(options: OverlayOptions): string {
  const root = repoRoot();
  const dir = join(root, '.tmp', 'cluster-overlay');
  mkdirSync(dir, { recursive: true });
  const pinned = (name: string) => {
    const ref = options.images[name];
    if (ref === undefined) throw new Error(`images.env has no ${name} image`);
    const [image, digest] = ref.split('@') as [string, string];
    return { image, digest, ref };
  };
  const images = ['operator', 'console'].map((name) => {
    const { image, digest } = pinned(name);
    return `  - name: ghcr.io/vigie/${name}\n    newName: ${image}\n    digest: ${digest}\n`;
  });
  const drops = (options.without ?? []).map(
    (o) =>
      `  - patch: |-\n      $patch: delete\n      apiVersion: ${o.apiVersion}\n      kind: ${o.kind}\n` +
      `      metadata: { name: ${o.name}, namespace: ${o.namespace} }\n`,
  );
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      '# Written by the cluster flow test: deploy/overlays/dev with images pinned by digest.\n',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n',
      'resources:\n  - ../../deploy/overlays/dev\n',
      'images:\n',
      ...images,
      'patches:\n',
      '  - patch: |-\n',
      '      apiVersion: apps/v1\n      kind: Deployment\n',
      '      metadata: { name: vigie-operator, namespace: vigie-system }\n',
      '      spec:\n        template:\n          spec:\n            containers:\n',
      '              - name: operator\n                env:\n',
      '                  - name: VIGIE_DETECTOR_IMAGE\n',
      `                    value: ${pinned('detector').ref}\n`,
      ...Object.entries(options.operatorEnv ?? {}).map(
        ([name, value]) =>
          `                  - name: ${name}\n                    value: ${JSON.stringify(value)}\n`,
      ),
      ...drops,
    ].join(''),
  );
  return dir;
}

/** Polls `check` until it returns a value other than undefined; fails with `what` on timeout. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${String(timeoutMs / 1000)} s waiting for ${what}` +
          (last === undefined ? '' : `: ${last instanceof Error ? last.message : inspect(last)}`),
      );
    }
    await sleep(everyMs);
  }
}

/** kubectl's JSON output, parsed. */
export async function kubectlJson<T>(cluster: Cluster, args: readonly string[]): Promise<T> {
  return JSON.parse(await cluster.kubectl([...args, '-o', 'json'])) as T;
}

/** A pod as far as the flow test reads it. */
export interface PodObject {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    deletionTimestamp?: string;
  };
  spec: { containers: { name: string; image: string }[] };
  status: {
    phase?: string;
    podIP?: string;
    containerStatuses?: {
      name: string;
      ready: boolean;
      restartCount: number;
      imageID?: string;
      containerID?: string;
    }[];
  };
}

/** The pods matching a label selector in a namespace. */
export async function pods(
  cluster: Cluster,
  namespace: string,
  selector: string,
): Promise<PodObject[]> {
  const list = await kubectlJson<{ items: PodObject[] }>(cluster, [
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    selector,
  ]);
  return list.items;
}

/** A real RTSP camera on the host (GStreamer's RTSP server), on the cluster's bridge address. */
export interface Camera {
  readonly url: string;
  stop(): Promise<void>;
}

/** An H.264 MP4 of the whole of vtest.avi, which GStreamer's RTSP server streams. */
export function h264Clip(source: string, out: string): string {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    source,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-g',
    '10',
    '-pix_fmt',
    'yuv420p',
    '-an',
    out,
  ]);
  return out;
}

/** Starts GStreamer's RTSP server on `address:port`, serving `clip` at `/path`. */
export async function startCamera(options: {
  clip: string;
  port: number;
  path: string;
  address?: string;
}): Promise<Camera> {
  const address = options.address ?? CLUSTER.hostIp;
  const server = join(repoRoot(), 'apps/detector/testing/rtsp-server.py');
  const child: ChildProcess = spawn(
    '/usr/bin/python3',
    [server, String(options.port), options.path, options.clip, address],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  await until(
    'the RTSP server',
    () => {
      if (child.exitCode !== null) throw new Error(`the RTSP server exited: ${output}`);
      return output.includes('ready') ? true : undefined;
    },
    30_000,
    100,
  );
  return {
    url: `rtsp://${address}:${String(options.port)}${options.path}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** Runs a command, resolving to stdout. */
export async function sh(file: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(file, args, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** A detector pod's log lines that say an alert went into its outbox, by alert ID. */
function alertIdsIn(log: string): string[] {
  const ids: string[] = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { message?: string; alert?: unknown };
      if (entry.message === 'alert' && typeof entry.alert === 'string') ids.push(entry.alert);
    } catch {
      // Not one of the detector's JSON lines.
    }
  }
  return ids;
}

/**
 * Collects the IDs of the alerts every detector container of a namespace put into its outbox
 * (the detector logs each one once it is on disk), across restarts and replaced pods: a pod's
 * logs are read until it is gone, a restarted container's through `--previous`.
 */
export class OutboxLedger {
  readonly ids = new Set<string>();
  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
  ) {}

  /** Reads the logs of every detector container there is now. */
  async read(): Promise<void> {
    for (const pod of await pods(
      this.cluster,
      this.namespace,
      'app.kubernetes.io/component=detector',
    )) {
      await this.readPod(pod);
    }
  }

  /**
   * Follows one pod's detector log as it is written, until its container stops: for a pod that
   * something else is about to delete (a rollout), whose last lines a poll could miss.
   */
  follow(pod: PodObject): Promise<void> {
    const child = spawn(
      join(toolsBinDir(process.env), 'kubectl'),
      [
        '--kubeconfig',
        this.cluster.kubeconfig,
        '-n',
        this.namespace,
        'logs',
        '--follow',
        pod.metadata.name,
        '-c',
        'detector',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const id of alertIdsIn(lines.join('\n'))) this.ids.add(id);
    });
    return new Promise((resolve) => {
      child.on('close', () => {
        for (const id of alertIdsIn(rest)) this.ids.add(id);
        resolve();
      });
    });
  }

  /** Reads one pod's logs, of its current container and the one before it. */
  async readPod(pod: PodObject): Promise<void> {
    const restarted = (pod.status.containerStatuses ?? []).some((s) => s.restartCount > 0);
    for (const previous of restarted ? [true, false] : [false]) {
      try {
        const log = await this.cluster.kubectl([
          '-n',
          this.namespace,
          'logs',
          pod.metadata.name,
          '-c',
          'detector',
          ...(previous ? ['--previous'] : []),
        ]);
        for (const id of alertIdsIn(log)) this.ids.add(id);
      } catch {
        // Not started yet, or gone.
      }
    }
  }
}

/** `ctr` against the cluster's containerd. */
export async function ctr(dir: string, args: readonly string[]): Promise<string> {
  return sh('ctr', ['--address', join(dir, 'containerd.sock'), '--namespace', 'k8s.io', ...args]);
}

/**
 * A GET over HTTPS that trusts only `ca`, reaching `*.localhost` names on loopback (as browsers
 * and curl do); resolves to the status, headers and body.
 */
export async function httpsGet(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  const { request } = await import('node:https');
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        ca: readFileSync(ca),
        headers,
        lookup: target.hostname.endsWith('.localhost')
          ? (_host, _options, callback) => {
              callback(null, [{ address: '127.0.0.1', family: 4 }]);
            }
          : undefined,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          });
        });
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A Prometheus instant query; resolves to the result vector. */
export async function promQuery(
  base: string,
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new Error(`Prometheus: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** A pod that passes the restricted Pod Security Standard, running `script` with Node. */
export function probePod(options: {
  namespace: string;
  name: string;
  image: string;
  script: string;
  labels?: Record<string, string>;
}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels ?? {} },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'probe',
          image: options.image,
          command: ['node', '-e', options.script],
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  });
}

/**
 * A Node script that tries a TCP connection to each `host:port` and prints one JSON object:
 * `{"host:port": "open" | "closed"}`. "closed" is a refusal or no answer within `timeoutMs`.
 */
export function connectScript(targets: readonly string[], timeoutMs = 3000): string {
  return `const net = require('net');
const targets = ${JSON.stringify(targets)};
Promise.all(targets.map((t) => new Promise((resolve) => {
  const i = t.lastIndexOf(':');
  const s = net.connect({ host: t.slice(0, i), port: Number(t.slice(i + 1)) });
  const done = (v) => { s.destroy(); resolve([t, v]); };
  s.setTimeout(${String(timeoutMs)}, () => done('closed'));
  s.on('connect', () => done('open'));
  s.on('error', () => done('closed'));
}))).then((r) => console.log(JSON.stringify(Object.fromEntries(r))));`;
}
