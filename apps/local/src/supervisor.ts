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
 *
 * Its parts: one process's lifecycle (`supervisor-process.ts`), the convergence steps
 * (`supervisor-converge.ts`) and the health view (`supervisor-health.ts`).
 */

import type { ClientResource } from '@vigie/config';
import type { CameraHealth } from '@vigie/console';
import type { Logger } from '@vigie/log';
import type { ClientPlan } from '@vigie/plan';
import type { ConvergeContext } from './supervisor-converge.js';
import {
  launchShard,
  newShard,
  planShards,
  retireShard,
  updateShard,
} from './supervisor-converge.js';
import { cameraHealth, pollDetectors } from './supervisor-health.js';
import type { DetectorFailure, DetectorLaunch, DetectorWorker } from './supervisor-process.js';
import { haltDetector } from './supervisor-process.js';

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
  readonly lastError?: DetectorFailure;
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

/** Creates the supervisor; nothing runs until the first `sync`. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { log } = options;
  const workers = new Map<string, DetectorWorker>();
  let plans = new Map<string, ClientPlan>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;
  const context: ConvergeContext = {
    dataDir: options.dataDir,
    launch: launchOptions(options, () => stopped),
  };

  const converge = async (clients: readonly ClientResource[]) => {
    const planned = planShards(clients);
    plans = planned.plans;
    for (const [key, worker] of workers) {
      if (planned.desired.has(key)) continue;
      workers.delete(key);
      await retireShard(worker, context);
    }
    for (const [key, desired] of planned.desired) {
      const running = workers.get(key);
      if (running !== undefined) {
        await updateShard(running, desired, context);
        continue;
      }
      const worker = await newShard(desired, context);
      workers.set(key, worker);
      await launchShard(worker, context);
    }
  };

  const timer = setInterval(
    () => void pollDetectors(workers.values()),
    options.healthIntervalMs ?? 2000,
  );
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
      return cameraHealth(client, plan, (shard) => workers.get(`${client}/${shard}`));
    },
    shards: () => [...workers.values()].map(shardState),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue;
      await Promise.all(
        [...workers.values()].map(async (worker) => {
          worker.retired = true;
          await haltDetector(worker);
          worker.logFile?.end();
        }),
      );
      workers.clear();
    },
  };
}

/** What each start reads; `consoleUrl` stays a getter, as the console's port is known late. */
function launchOptions(options: SupervisorOptions, stopped: () => boolean): DetectorLaunch {
  return {
    get consoleUrl() {
      return options.consoleUrl;
    },
    detectorMain: options.detectorMain,
    ingestTokenFile: options.ingestTokenFile,
    secretsDir: options.secretsDir,
    log: options.log,
    stopped,
  };
}

function shardState(w: DetectorWorker): ShardState {
  return {
    client: w.client,
    shard: w.shard,
    ...(w.child?.pid === undefined ? {} : { pid: w.child.pid }),
    state: w.state,
    restarts: w.restarts,
    port: w.port,
    ...(w.lastError ? { lastError: w.lastError } : {}),
  };
}
