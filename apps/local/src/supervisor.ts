/**
 * The local supervisor: the operator's job on one machine. It carries out the same pure plan
 * (`planClient`) as detector processes instead of Deployments: one `vigie-detector` per shard,
 * its config written where the detector watches it, so that zones and rules change live, and a
 * restart only when the shard's rollout key changes (a stream, model or layout change), as the
 * operator rolls a Deployment. Level-based: `sync` takes the whole set of clients and converges.
 *
 * Detectors never outlive the supervisor's process: each watches its stdin, a pipe the
 * supervisor holds (`supervisor-parent-watch.ts`), and each one's PID is kept next to its config
 * so that a run killed before it could stop them is cleaned up by the next one
 * (`supervisor-stale.ts`). Their HTTP port listens on the loopback only.
 */

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ClientResource } from '@vigie/config';
import type { CameraHealth } from '@vigie/console';
import type { CameraStatus, DetectorStatus } from '@vigie/detector';
import type { Logger } from '@vigie/log';
import type { ClientPlan, ShardPlan } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import { DETECTOR_CONFIG_FILE, DETECTOR_PID_FILE } from './supervisor-stale.js';

/** Preloaded into each detector: it stops when the supervisor's process is gone. */
const PARENT_WATCH = new URL('./supervisor-parent-watch.js', import.meta.url).href;

/** Options of {@link createSupervisor}. */
export interface SupervisorOptions {
  /** Each shard's config, outbox and log live under `<dataDir>/detectors/<client>/<shard>`. */
  readonly dataDir: string;
  readonly consoleUrl: string;
  /** The `vigie-detector` entry point (its `main.js`). */
  readonly detectorMain: string;
  /** Where a client's ingest token and Secrets are, as files. */
  readonly ingestTokenFile: (client: string) => string;
  readonly secretsDir: (client: string) => string;
  readonly log: Logger;
  /** How often detectors' `/status` is read. Default 2 s. */
  readonly healthIntervalMs?: number;
}

/** One shard's process, as `shards()` reports it. */
export interface ShardState {
  readonly client: string;
  readonly shard: string;
  readonly pid?: number;
  /** `starting` until its first `/status`, `running`, or `crashed` (restarting with backoff). */
  readonly state: 'starting' | 'running' | 'crashed';
  readonly restarts: number;
  readonly port: number;
  readonly lastError?: { readonly code: string; readonly message: string };
}

/** The running supervisor. */
export interface Supervisor {
  /** Converges the processes on these clients' plans. */
  sync(clients: readonly ClientResource[]): Promise<void>;
  /** A client's cameras and their health, disabled ones included. */
  cameras(client: string): CameraHealth[];
  shards(): ShardState[];
  /** Stops every detector (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
}

interface Worker {
  readonly client: string;
  readonly shard: string;
  readonly dir: string;
  readonly configPath: string;
  port: number;
  rolloutKey: string;
  plan: ShardPlan;
  child?: ChildProcess | undefined;
  logFile?: WriteStream;
  state: 'starting' | 'running' | 'crashed';
  restarts: number;
  lastError?: { code: string; message: string } | undefined;
  cameras: readonly CameraStatus[];
  restartTimer?: NodeJS.Timeout;
  retired: boolean;
}

const STOP_GRACE_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function writeWhole(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

/** `vigie-detector: CODE: message` on stderr, the detector's last words. */
function parseFailure(line: string): { code: string; message: string } | undefined {
  const match = /^vigie-detector: (VIGIE_E_[A-Z0-9_]+): (.*)$/.exec(line.trim());
  return match?.[1] && match[2] !== undefined ? { code: match[1], message: match[2] } : undefined;
}

/** Creates the supervisor; nothing runs until the first `sync`. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { log } = options;
  const workers = new Map<string, Worker>();
  const plans = new Map<string, ClientPlan>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  const start = (worker: Worker) => {
    if (stopped || worker.retired) return;
    worker.state = 'starting';
    worker.cameras = [];
    worker.logFile ??= createWriteStream(join(worker.dir, 'detector.log'), { flags: 'a' });
    const child = spawn(
      process.execPath,
      [
        '--import',
        PARENT_WATCH,
        options.detectorMain,
        '--config',
        worker.configPath,
        '--console',
        options.consoleUrl,
        '--ingest-token-file',
        options.ingestTokenFile(worker.client),
        '--data-dir',
        join(worker.dir, 'data'),
        '--secrets-dir',
        options.secretsDir(worker.client),
        '--host',
        '127.0.0.1',
        '--port',
        String(worker.port),
        '--threads',
        '1',
        // The outbox is in a folder that outlives the process: nothing to hand over on stop.
        '--drain-seconds',
        '0',
      ],
      // Nothing is ever written to stdin: its end closing tells the detector we are gone.
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    worker.child = child;
    child.stdin.on('error', () => undefined);
    const pidPath = join(worker.dir, DETECTOR_PID_FILE);
    if (child.pid !== undefined) writeFileSync(pidPath, `${String(child.pid)}\n`);
    let lastLine = '';
    child.stdout.pipe(worker.logFile, { end: false });
    child.stderr.on('data', (chunk: Buffer) => {
      worker.logFile?.write(chunk);
      const lines = chunk.toString('utf8').trim().split('\n');
      lastLine = lines.at(-1) ?? lastLine;
    });
    child.once('error', (error) => {
      lastLine = `vigie-detector: VIGIE_E_DETECTOR_FAILED: ${error.message}`;
    });
    child.once('exit', (code, signal) => {
      rmSync(pidPath, { force: true });
      if (worker.child !== child) return;
      worker.child = undefined;
      if (worker.retired || stopped) return;
      worker.state = 'crashed';
      worker.restarts++;
      worker.lastError = parseFailure(lastLine) ?? {
        code: 'VIGIE_E_DETECTOR_FAILED',
        message: `the detector exited (${signal ?? `code ${String(code)}`}): ${lastLine}`,
      };
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(worker.restarts - 1, 5));
      log('WARNING', 'detector stopped; restarting', {
        client: worker.client,
        shard: worker.shard,
        ...worker.lastError,
        restartInSeconds: delay / 1000,
      });
      worker.restartTimer = setTimeout(() => {
        start(worker);
      }, delay);
    });
    log('INFO', 'detector started', {
      client: worker.client,
      shard: worker.shard,
      pid: child.pid,
      port: worker.port,
    });
  };

  const halt = async (worker: Worker) => {
    clearTimeout(worker.restartTimer);
    const child = worker.child;
    if (child?.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve();
        }),
      );
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    worker.child = undefined;
  };

  const converge = async (clients: readonly ClientResource[]) => {
    const desired = new Map<string, { client: string; shard: ShardPlan }>();
    plans.clear();
    for (const resource of clients) {
      const plan = planClient(resource.metadata.name, resource.spec);
      plans.set(plan.client, plan);
      for (const shard of plan.shards) {
        desired.set(`${plan.client}/${shard.name}`, { client: plan.client, shard });
      }
    }
    for (const [key, worker] of workers) {
      if (desired.has(key)) continue;
      worker.retired = true;
      workers.delete(key);
      await halt(worker);
      worker.logFile?.end();
      log('INFO', 'detector removed', { client: worker.client, shard: worker.shard });
    }
    for (const [key, { client, shard }] of desired) {
      const content = `${JSON.stringify(shard.config, null, 2)}\n`;
      let worker = workers.get(key);
      if (worker === undefined) {
        const dir = join(options.dataDir, 'detectors', client, shard.name);
        await mkdir(join(dir, 'data'), { recursive: true });
        worker = {
          client,
          shard: shard.name,
          dir,
          configPath: join(dir, DETECTOR_CONFIG_FILE),
          port: await freePort(),
          rolloutKey: shard.rolloutKey,
          plan: shard,
          state: 'starting',
          restarts: 0,
          cameras: [],
          retired: false,
        };
        workers.set(key, worker);
        await writeWhole(worker.configPath, content);
        start(worker);
        continue;
      }
      worker.plan = shard;
      const written = await readFile(worker.configPath, 'utf8').catch(() => '');
      if (written !== content) await writeWhole(worker.configPath, content);
      if (worker.rolloutKey !== shard.rolloutKey) {
        // A stream, model or layout change: the operator would roll the Deployment.
        worker.rolloutKey = shard.rolloutKey;
        log('INFO', 'detector rolled', { client, shard: shard.name });
        await halt(worker);
        worker.restarts = 0;
        start(worker);
      } else if (written !== content) {
        log('INFO', 'detector config updated live', { client, shard: shard.name });
      }
    }
  };

  const poll = async () => {
    await Promise.all(
      [...workers.values()].map(async (worker) => {
        if (worker.child === undefined) return;
        try {
          const response = await fetch(`http://127.0.0.1:${String(worker.port)}/status`, {
            signal: AbortSignal.timeout(1500),
          });
          if (!response.ok) return;
          const status = (await response.json()) as Partial<DetectorStatus>;
          worker.cameras = Array.isArray(status.cameras) ? status.cameras : [];
          worker.state = 'running';
          worker.lastError = undefined;
        } catch {
          // Starting, or busy: the next poll will tell.
        }
      }),
    );
  };
  const timer = setInterval(() => void poll(), options.healthIntervalMs ?? 2000);
  timer.unref();

  return {
    sync(clients) {
      const run = queue.then(() => converge(clients));
      queue = run.catch((error: unknown) => {
        log('ERROR', 'supervisor could not converge', { error: String(error) });
      });
      return run;
    },
    cameras(client) {
      const plan = plans.get(client);
      if (plan === undefined) return [];
      const health: CameraHealth[] = [];
      for (const shard of plan.shards) {
        const worker = workers.get(`${client}/${shard.name}`);
        for (const camera of shard.config.cameras) {
          const seen = worker?.cameras.find((c) => c.id === camera.id);
          const base = { client, camera: camera.id, name: camera.name };
          if (worker?.state === 'crashed' && worker.lastError) {
            health.push({
              ...base,
              state: 'Down',
              code: worker.lastError.code,
              reason: worker.lastError.message,
            });
          } else if (seen?.error) {
            health.push({
              ...base,
              state: 'Down',
              code: seen.error.code,
              reason: seen.error.message,
            });
          } else if (seen?.up === true) {
            health.push({
              ...base,
              state: 'Up',
              ...(seen.lastFrameAt === undefined
                ? {}
                : { since: new Date(seen.lastFrameAt * 1000).toISOString() }),
            });
          } else {
            health.push({
              ...base,
              state: 'Unknown',
              reason: seen?.scheduled === false ? 'outside opening hours' : 'starting',
            });
          }
        }
      }
      for (const id of plan.disabledCameras) {
        health.push({ client, camera: id, name: id, state: 'Disabled' });
      }
      return health;
    },
    shards: () =>
      [...workers.values()].map((w) => ({
        client: w.client,
        shard: w.shard,
        ...(w.child?.pid === undefined ? {} : { pid: w.child.pid }),
        state: w.state,
        restarts: w.restarts,
        port: w.port,
        ...(w.lastError ? { lastError: w.lastError } : {}),
      })),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue;
      await Promise.all(
        [...workers.values()].map(async (worker) => {
          worker.retired = true;
          await halt(worker);
          worker.logFile?.end();
        }),
      );
      workers.clear();
    },
  };
}
