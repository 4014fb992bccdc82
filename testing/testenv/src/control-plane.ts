/**
 * A throwaway, real Kubernetes control plane on loopback for integration tests: etcd,
 * kube-apiserver (RBAC on), kube-controller-manager, kube-scheduler and, optionally, kwok nodes
 * so that Deployments get Running pods. Everything lives in one temporary folder and is removed
 * by `stop()`, on process exit, or by the next start if this process was killed.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options for {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** The folder holding the binaries built by `scripts/ensure-tools.sh`. */
  readonly binDir: string;
  /** How many kwok-simulated nodes to register (0 runs no kwok). */
  readonly nodes?: number;
  /** How many pods each kwok node takes (default 110, the kubelet's default). */
  readonly podsPerNode?: number;
  /** Whether to run kube-controller-manager and kube-scheduler (default true). */
  readonly controllers?: boolean;
  /** How long to wait for each component, in milliseconds (default 90 s). */
  readonly startTimeoutMs?: number;
}

/** A running control plane. */
export interface ControlPlane {
  /** The API server's URL, such as `https://127.0.0.1:41234`. */
  readonly server: string;
  /** A kubeconfig file for a cluster admin (member of `system:masters`). */
  readonly kubeconfigPath: string;
  /** The same kubeconfig, as YAML text. */
  readonly kubeconfig: string;
  /** The folder holding data, certificates and each component's log. */
  readonly dir: string;
  /**
   * Writes a kubeconfig for test user `user-0` to `user-3` (user names `vigie-test-user-N`), who
   * can do nothing until RBAC grants it, and returns its path.
   */
  readonly kubeconfigFor: (user: string) => Promise<string>;
  /**
   * Stops kube-apiserver, waits `downMs`, and starts it again on the same port with the same
   * data, as a control-plane upgrade or crash would. Resolves once it is ready again.
   */
  readonly restartApiServer: (downMs?: number) => Promise<void>;
  /** Stops every component and removes the folder. Safe to call twice. */
  readonly stop: () => Promise<void>;
}

const PREFIX = 'vigie-cp-';
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Finds the tools folder: `VIGIE_TOOLS_BIN`, else `$VIGIE_CACHE/bin`, else `~/.cache/vigie/bin`. */
export function toolsBinDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.VIGIE_TOOLS_BIN) return env.VIGIE_TOOLS_BIN;
  const cache =
    env.VIGIE_CACHE ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? tmpdir(), '.cache'), 'vigie');
  return join(cache, 'bin');
}

/** Starts a control plane; rejects with the failing component's log when it cannot start. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  installExitHook();
  reapOrphans();
  const timeout = options.startTimeoutMs ?? 90_000;
  const bin = (name: string) => {
    const path = join(options.binDir, name);
    if (!existsSync(path)) {
      throw new Error(
        `${path} is missing: run scripts/ensure-tools.sh to build the test control plane`,
      );
    }
    return path;
  };
  const dir = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(dir, 'owner.pid'), String(process.pid));
  const children: ChildProcess[] = [];
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const child of [...children].reverse()) child.kill('SIGTERM');
    const deadline = Date.now() + 10_000;
    while (
      children.some((c) => c.exitCode === null && c.signalCode === null) &&
      Date.now() < deadline
    ) {
      await sleep(50);
    }
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      live.delete(child);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const run = (name: string, args: string[]) => {
    const logPath = join(dir, `${name}.log`);
    const log = openSync(logPath, 'a');
    // Children write their logs straight to files, so they can be read while they run.
    const child = spawn(bin(name), args, { stdio: ['ignore', log, log], cwd: dir });
    closeSync(log);
    child.on('exit', () => live.delete(child));
    children.push(child);
    live.add(child);
    writeFileSync(join(dir, 'pids'), children.map((c) => String(c.pid)).join('\n'));
    return {
      child,
      tail: () => {
        try {
          return readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n');
        } catch {
          return '(no log)';
        }
      },
    };
  };

  const waitFor = async (
    name: string,
    proc: { child: ChildProcess; tail: () => string },
    ready: () => Promise<boolean>,
  ) => {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
        throw new Error(
          `${name} exited (${String(proc.child.exitCode ?? proc.child.signalCode)}):\n${proc.tail()}`,
        );
      }
      if (await ready().catch(() => false)) return;
      await sleep(200);
    }
    throw new Error(`${name} was not ready within ${String(timeout)} ms:\n${proc.tail()}`);
  };

  try {
    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    const etcd = run('etcd', [
      '--name=default',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${String(etcdClient)}`,
      `--advertise-client-urls=http://127.0.0.1:${String(etcdClient)}`,
      `--listen-peer-urls=http://127.0.0.1:${String(etcdPeer)}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${String(etcdPeer)}`,
      `--initial-cluster=default=http://127.0.0.1:${String(etcdPeer)}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor('etcd', etcd, async () => {
      const res = await fetch(`http://127.0.0.1:${String(etcdClient)}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    });

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const tokens: string[] = [];
    const addToken = async (user: string, groups: readonly string[]) => {
      const token = randomBytes(24).toString('hex');
      tokens.push(`${token},${user},${user},"${groups.join(',')}"`);
      await writeFile(join(dir, 'tokens.csv'), `${tokens.join('\n')}\n`, { mode: 0o600 });
      return token;
    };
    const adminToken = await addToken('vigie-admin', ['system:masters']);
    // Users for tests are declared up front: the API server reads the token file once.
    const userTokens = new Map<string, string>();
    for (let i = 0; i < 4; i++)
      userTokens.set(`user-${String(i)}`, await addToken(`vigie-test-user-${String(i)}`, []));

    const server = `https://127.0.0.1:${String(apiPort)}`;
    const apiserverArgs = [
      `--etcd-servers=http://127.0.0.1:${String(etcdClient)}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${String(apiPort)}`,
      `--cert-dir=${join(dir, 'pki')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=1',
    ];
    let apiserver = run('kube-apiserver', apiserverArgs);
    const caPath = join(dir, 'pki', 'apiserver.crt');
    const apiserverReady = async () => {
      if (!existsSync(caPath)) return false;
      const { status } = await httpsGet(`${server}/readyz`, adminToken, await readFile(caPath));
      return status === 200;
    };
    await waitFor('kube-apiserver', apiserver, apiserverReady);
    const restartApiServer = async (downMs = 0) => {
      const old = apiserver.child;
      old.kill('SIGTERM');
      while (old.exitCode === null && old.signalCode === null) await sleep(50);
      await sleep(downMs);
      // Same port, certificates and etcd: clients see an outage, not a new cluster.
      apiserver = run('kube-apiserver', apiserverArgs);
      await waitFor('kube-apiserver', apiserver, apiserverReady);
    };
    const ca = await readFile(caPath);

    const kubeconfigText = (user: string, token: string) =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: vigie-test',
        '    cluster:',
        `      server: ${server}`,
        `      certificate-authority-data: ${ca.toString('base64')}`,
        'users:',
        `  - name: ${user}`,
        '    user:',
        `      token: ${token}`,
        'contexts:',
        '  - name: vigie-test',
        '    context:',
        '      cluster: vigie-test',
        `      user: ${user}`,
        'current-context: vigie-test',
        '',
      ].join('\n');
    const kubeconfig = kubeconfigText('vigie-admin', adminToken);
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

    if (options.controllers ?? true) {
      const cm = run('kube-controller-manager', [
        `--kubeconfig=${kubeconfigPath}`,
        '--leader-elect=false',
        '--secure-port=0',
        `--service-account-private-key-file=${join(dir, 'sa.key')}`,
        `--root-ca-file=${caPath}`,
        '--use-service-account-credentials=false',
        // The defaults (20 QPS) throttle large tests and benchmarks, not the API server.
        '--kube-api-qps=500',
        '--kube-api-burst=1000',
        '--concurrent-deployment-syncs=20',
        '--concurrent-replicaset-syncs=20',
        '--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller',
        '--v=1',
      ]);
      const [schedulerPort] = await freePorts(1);
      const scheduler = run('kube-scheduler', [
        `--kubeconfig=${kubeconfigPath}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${String(schedulerPort)}`,
        `--cert-dir=${join(dir, 'scheduler-pki')}`,
        '--kube-api-qps=500',
        '--kube-api-burst=1000',
        '--v=1',
      ]);
      // The default ServiceAccount appears once the controller-manager's controllers run.
      await waitFor('kube-controller-manager', cm, async () => {
        const { status } = await httpsGet(
          `${server}/api/v1/namespaces/default/serviceaccounts/default`,
          adminToken,
          ca,
        );
        return status === 200;
      });
      // /healthz is open to anyone; the scheduler's serving certificate is self-signed.
      await waitFor('kube-scheduler', scheduler, async () => {
        const url = `https://127.0.0.1:${String(schedulerPort)}/healthz`;
        const { status } = await httpsRequest('GET', url, '', 'insecure');
        return status === 200;
      });
    }

    const nodes = options.nodes ?? 0;
    if (nodes > 0) {
      const [kwokPort] = await freePorts(1);
      const kwok = run('kwok', [
        `--kubeconfig=${kubeconfigPath}`,
        `--config=${join(options.binDir, 'kwok-stages.yaml')}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-ip=10.0.0.1',
        '--cidr=10.244.0.0/16',
        `--server-address=127.0.0.1:${String(kwokPort)}`,
      ]);
      for (let i = 0; i < nodes; i++) {
        expectOk(
          await httpsRequest(
            'POST',
            `${server}/api/v1/nodes`,
            adminToken,
            ca,
            kwokNode(`kwok-node-${String(i)}`, options.podsPerNode ?? 110),
          ),
        );
      }
      await waitFor('kwok', kwok, async () => {
        const { body } = await httpsGet(`${server}/api/v1/nodes`, adminToken, ca);
        const list = JSON.parse(body) as {
          items: { status?: { conditions?: { type: string; status: string }[] } }[];
        };
        const ready = list.items.filter((n) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length >= nodes;
      });
      // New nodes get a not-ready taint at admission; the node lifecycle controller that would lift
      // it is off (kwok nodes send no heartbeats), so lift it here.
      for (let i = 0; i < nodes; i++) {
        const patch = { spec: { taints: null } };
        expectOk(
          await httpsRequest(
            'PATCH',
            `${server}/api/v1/nodes/kwok-node-${String(i)}`,
            adminToken,
            ca,
            patch,
            'application/merge-patch+json',
          ),
        );
      }
    }

    return {
      server,
      kubeconfigPath,
      kubeconfig,
      dir,
      stop,
      restartApiServer,
      kubeconfigFor: async (user) => {
        const token = userTokens.get(user);
        if (token === undefined)
          throw new Error(`unknown test user "${user}"; use user-0 to user-3`);
        const path = join(dir, `${user}.kubeconfig`);
        await writeFile(path, kubeconfigText(user, token), { mode: 0o600 });
        return path;
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function kwokNode(name: string, pods: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: {
      // Room for `pods` detector-sized pods.
      allocatable: { cpu: String(pods * 2), memory: `${String(pods * 8)}Gi`, pods: String(pods) },
      capacity: { cpu: String(pods * 2), memory: `${String(pods * 8)}Gi`, pods: String(pods) },
    },
  };
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => {
            resolve(s);
          });
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function expectOk(response: { status: number; body: string }): void {
  if (response.status >= 300)
    throw new Error(`control plane setup failed (${String(response.status)}): ${response.body}`);
}

function httpsGet(
  url: string,
  token: string,
  ca: Buffer,
): Promise<{ status: number; body: string }> {
  return httpsRequest('GET', url, token, ca);
}

function httpsRequest(
  method: string,
  url: string,
  token: string,
  ca: Buffer | 'insecure',
  body?: object,
  contentType = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ...(ca === 'insecure' ? { rejectUnauthorized: false } : { ca }),
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
        timeout: 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Kills every component synchronously when the test process exits, whatever the reason. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill('SIGKILL');
      process.kill(process.pid, signal);
    });
  }
}

/** Removes control planes left behind by test processes that were killed outright. */
function reapOrphans(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(tmpdir(), entry);
    try {
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (isAlive(owner)) continue;
      const pids = existsSync(join(dir, 'pids'))
        ? readFileSync(join(dir, 'pids'), 'utf8').split('\n').map(Number)
        : [];
      // A PID may have been reused since; only kill processes still running in this folder.
      for (const pid of pids)
        if (pid > 0 && isAlive(pid) && cwdOf(pid) === dir) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder being created right now by another process has no owner file yet.
    }
  }
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${String(pid)}/cwd`);
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
