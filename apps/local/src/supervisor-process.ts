/**
 * One detector process of the local supervisor: how it is started, restarted with backoff when
 * it dies, and stopped. The supervisor decides which processes should run; this file only keeps
 * one of them alive.
 */

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createWriteStream, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { CameraStatus } from '@vigie/detector';
import type { Logger } from '@vigie/log';
import type { ShardPlan } from '@vigie/plan';
import { DETECTOR_PID_FILE } from './supervisor-stale.js';

/** Preloaded into each detector: it stops when the supervisor's process is gone. */
const PARENT_WATCH = new URL('./supervisor-parent-watch.js', import.meta.url).href;

/** How long a detector has to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000;

/** A detector's last words, or why it could not run, with a stable code. */
export interface DetectorFailure {
  readonly code: string;
  readonly message: string;
}

/** One shard's detector process and what the supervisor knows of it. */
export interface DetectorWorker {
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
  lastError?: DetectorFailure | undefined;
  cameras: readonly CameraStatus[];
  restartTimer?: NodeJS.Timeout;
  retired: boolean;
}

/** What starting a detector needs; `consoleUrl` is read at each start. */
export interface DetectorLaunch {
  readonly consoleUrl: string;
  /** The `vigie-detector` entry point (its `main.js`). */
  readonly detectorMain: string;
  readonly ingestTokenFile: (client: string) => string;
  readonly secretsDir: (client: string) => string;
  readonly log: Logger;
  /** True once the supervisor stops: nothing starts or restarts then. */
  readonly stopped: () => boolean;
}

/** The command line of a shard's detector, after `node`. */
export function detectorArgs(
  launch: Omit<DetectorLaunch, 'log' | 'stopped'>,
  worker: Pick<DetectorWorker, 'client' | 'dir' | 'configPath' | 'port'>,
): string[] {
  return [
    '--import',
    PARENT_WATCH,
    launch.detectorMain,
    '--config',
    worker.configPath,
    '--console',
    launch.consoleUrl,
    '--ingest-token-file',
    launch.ingestTokenFile(worker.client),
    '--data-dir',
    join(worker.dir, 'data'),
    '--secrets-dir',
    launch.secretsDir(worker.client),
    '--host',
    '127.0.0.1',
    '--port',
    String(worker.port),
    '--threads',
    '1',
    // The outbox is in a folder that outlives the process: nothing to hand over on stop.
    '--drain-seconds',
    '0',
  ];
}

/** How long to wait before the `restarts`-th restart: 1 s, doubling, at most 30 s. */
export function restartDelayMs(restarts: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.min(restarts - 1, 5));
}

/** `vigie-detector: CODE: message` on stderr, the detector's last words. */
export function parseFailure(line: string): DetectorFailure | undefined {
  const match = /^vigie-detector: (VIGIE_E_[A-Z0-9_]+): (.*)$/.exec(line.trim());
  return match?.[1] && match[2] !== undefined ? { code: match[1], message: match[2] } : undefined;
}

/** Starts the worker's detector, and restarts it with backoff each time it dies. */
export function startDetector(worker: DetectorWorker, launch: DetectorLaunch): void {
  if (launch.stopped() || worker.retired) return;
  worker.state = 'starting';
  worker.cameras = [];
  worker.logFile ??= createWriteStream(join(worker.dir, 'detector.log'), { flags: 'a' });
  const child = spawn(process.execPath, detectorArgs(launch, worker), {
    // Nothing is ever written to stdin: its end closing tells the detector we are gone.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
    if (worker.retired || launch.stopped()) return;
    worker.state = 'crashed';
    worker.restarts++;
    worker.lastError = parseFailure(lastLine) ?? {
      code: 'VIGIE_E_DETECTOR_FAILED',
      message: `the detector exited (${signal ?? `code ${String(code)}`}): ${lastLine}`,
    };
    const delay = restartDelayMs(worker.restarts);
    launch.log('WARNING', 'detector stopped; restarting', {
      client: worker.client,
      shard: worker.shard,
      ...worker.lastError,
      restartInSeconds: delay / 1000,
    });
    worker.restartTimer = setTimeout(() => {
      startDetector(worker, launch);
    }, delay);
  });
  launch.log('INFO', 'detector started', {
    client: worker.client,
    shard: worker.shard,
    pid: child.pid,
    port: worker.port,
  });
}

/** Stops the worker's detector (SIGTERM, then SIGKILL after 10 s) and cancels a restart. */
export async function haltDetector(worker: DetectorWorker): Promise<void> {
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
}
