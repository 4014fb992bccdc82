/**
 * The detector: one process per shard. It reads the shard's config, runs each camera's pipeline,
 * keeps alerts in a durable outbox until the console has them, reloads its config live, and
 * serves `/metrics`, `/healthz`, `/readyz` and `/status`.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DetectorConfig } from '@vigie/plan';
import type { Logger } from '@vigie/log';
import { VigieError } from '@vigie/log';
import type { CameraStatus } from './camera.js';
import { startCamera } from './camera.js';
import type { CameraSet } from './camera-set.js';
import { createCameraSet } from './camera-set.js';
import type { ConfigProblem } from './config.js';
import { readDetectorConfig, watchDetectorConfig } from './config.js';
import type { Delivery } from './delivery.js';
import { drainAndStop, openDelivery } from './delivery.js';
import type { DetectorStatus } from './http.js';
import { listenHttp } from './http.js';
import type { DetectorMetrics } from './metrics.js';
import { createDetectorMetrics } from './metrics.js';
import { createModelRegistry } from './model-registry.js';
import type { AlertSink, Outbox } from './outbox.js';
import { createConsoleSink, oldestPendingSeconds } from './outbox.js';
import type { KubeConnection } from './report.js';
import { createStatusReporter } from './report.js';
import { startRetentionSweep } from './retention.js';

export type { DetectorStatus } from './http.js';

/** A detector failure at start, with a stable code for the container's termination message. */
export class DetectorError extends VigieError {
  override readonly name = 'DetectorError';
}

/**
 * How long a stopping detector spends delivering its outbox: within the 30 s Kubernetes gives a
 * pod by default, leaving time for the cameras to stop first.
 */
export const DEFAULT_DRAIN_MS = 20_000;

/** Options of {@link startDetector}. */
export interface DetectorOptions {
  readonly configPath: string;
  /** Where alerts go; omit with `sink` in tests. */
  readonly consoleUrl?: string;
  readonly tokenFile?: string;
  readonly sink?: AlertSink;
  /** The outbox lives here, and downloaded models. */
  readonly dataDir: string;
  /** The outbox's cap in bytes (default: `DEFAULT_OUTBOX_BYTES`). */
  readonly outboxBytes?: number;
  /**
   * How long `stop` may spend delivering what waits in the outbox (default
   * {@link DEFAULT_DRAIN_MS}; 0: not at all).
   */
  readonly drainMs?: number;
  readonly secretsDir: string;
  /**
   * The address the HTTP port listens on. Default 0.0.0.0, so that a pod's metrics scraper
   * reaches it; `vigie up` passes 127.0.0.1, since nothing off the machine needs it there.
   */
  readonly host?: string;
  /** The HTTP port for metrics, probes and status; 0 picks a free one. */
  readonly port: number;
  readonly log: Logger;
  /** Inference threads for the default model. Default 1. */
  readonly threads?: number;
  /** How often the config file is polled besides watching it. */
  readonly configPollMs?: number;
  /** Where to report camera health into the Client status; nowhere when omitted. */
  readonly statusReport?: KubeConnection;
  /** How often camera health is compared with what was reported. Default 2 s. */
  readonly statusReportMs?: number;
}

/** A running detector. */
export interface Detector {
  readonly port: number;
  readonly metrics: DetectorMetrics;
  readonly outbox: Outbox;
  status(): DetectorStatus;
  stop(): Promise<void>;
}

/** The config the shard runs, and the last one refused while it is still the file's content. */
interface RunningConfig {
  config: DetectorConfig;
  digest: string;
  problem: ConfigProblem | undefined;
}

/** Starts a detector. Throws a {@link DetectorError} when it cannot start at all. */
export async function startDetector(options: DetectorOptions): Promise<Detector> {
  const { log } = options;
  const running = await readRunningConfig(options.configPath);
  const metrics = createDetectorMetrics();
  const delivery = openDelivery({
    dataDir: options.dataDir,
    sink: sinkFor(options),
    ...(options.outboxBytes === undefined ? {} : { outboxBytes: options.outboxBytes }),
    metrics,
    log,
  });
  const models = createModelRegistry({
    dataDir: options.dataDir,
    threads: options.threads ?? 1,
    metrics,
    log,
  });
  const cameras = createCameraSet({
    log,
    start: async (config, camera) =>
      startCamera({
        config,
        camera,
        model: await models.modelFor(camera),
        outbox: delivery.outbox,
        metrics,
        log,
        secretsDir: options.secretsDir,
        onAlertQueued: delivery.queued,
      }),
  });
  const apply = async (config: DetectorConfig): Promise<void> => {
    running.config = config;
    await models.prepare(config);
    await cameras.apply(config);
  };
  await apply(running.config);
  const reloads = watchRunningConfig({ options, running, apply, metrics });
  const sweep = startRetentionSweep({
    dir: join(options.dataDir, 'evidence'),
    retentionDays: () => running.config.privacy.evidenceRetentionDays,
  });
  const status = (): DetectorStatus => detectorStatus(running, cameras);
  const http = await listenHttp(
    {
      metrics,
      refreshGauges: () => refreshGauges(metrics, delivery, () => cameras.statuses()),
      readiness: () => models.readiness(running.config),
      status,
    },
    { port: options.port, host: options.host ?? '0.0.0.0' },
  );
  const reporter = startStatusReport(options, running.config, () => cameras.statuses());
  log('INFO', 'detector started', {
    client: running.config.client,
    shard: running.config.shard,
    cameras: running.config.cameras.length,
    port: http.port,
  });

  return {
    port: http.port,
    metrics,
    outbox: delivery.outbox,
    status,
    async stop() {
      reloads.close();
      sweep.stop();
      reporter?.stop();
      await reloads.settled();
      await cameras.stop();
      await drainAndStop(delivery.outbox, options.drainMs ?? DEFAULT_DRAIN_MS, log);
      models.dispose();
      await http.close();
    },
  };
}

/** Reads the config the detector starts with; one it cannot read stops it from starting. */
async function readRunningConfig(path: string): Promise<RunningConfig> {
  const read = await readDetectorConfig(path);
  if (!read.ok) throw new DetectorError(read.problem.code, read.problem.message);
  return { config: read.config, digest: read.digest, problem: undefined };
}

/** Where alerts go: the sink given, else the console. */
function sinkFor(options: DetectorOptions): AlertSink {
  if (options.sink) return options.sink;
  const { consoleUrl, tokenFile } = options;
  if (consoleUrl === undefined || tokenFile === undefined) {
    throw new DetectorError(
      'VIGIE_E_DETECTOR_USAGE',
      'the console URL and ingest token file are required',
    );
  }
  // Read on each delivery, so that a rotated token applies without a restart.
  return createConsoleSink({ consoleUrl, token: () => readFile(tokenFile, 'utf8') });
}

/** What {@link watchRunningConfig} needs. */
interface ReloadOptions {
  readonly options: DetectorOptions;
  readonly running: RunningConfig;
  readonly apply: (config: DetectorConfig) => Promise<void>;
  readonly metrics: DetectorMetrics;
}

/**
 * Applies each new config the file holds, one after another. A config that cannot be read, or
 * that is another shard's, is refused, and the last good one keeps running.
 */
function watchRunningConfig(reload: ReloadOptions): { close(): void; settled(): Promise<void> } {
  const { running, metrics, options } = reload;
  const { log } = options;
  let applying = Promise.resolve();
  const refuse = (problem: ConfigProblem): void => {
    running.problem = problem;
    metrics.configReloads.inc({ result: 'rejected' });
    log('ERROR', 'config refused; the last good config keeps running', { ...problem });
  };
  const take = async (next: DetectorConfig, digest: string): Promise<void> => {
    const { client, shard } = running.config;
    if (next.client !== client || next.shard !== shard) {
      refuse({
        code: 'VIGIE_E_DETECTOR_CONFIG',
        message: `the config is for ${next.client}/${next.shard}, not ${client}/${shard}`,
      });
      return;
    }
    running.digest = digest;
    running.problem = undefined;
    await reload.apply(next);
    metrics.configReloads.inc({ result: 'applied' });
    log('INFO', 'config reloaded', { digest: digest.slice(0, 12) });
  };
  const watcher = watchDetectorConfig({
    path: options.configPath,
    digest: running.digest,
    ...(options.configPollMs === undefined ? {} : { pollMs: options.configPollMs }),
    onConfig: (next, digest) => {
      applying = applying.then(() => take(next, digest));
    },
    onProblem: refuse,
  });
  return {
    close() {
      watcher.close();
    },
    settled: () => applying,
  };
}

/** What `/status` answers now. */
function detectorStatus(running: RunningConfig, cameras: CameraSet): DetectorStatus {
  return {
    client: running.config.client,
    shard: running.config.shard,
    configDigest: running.digest,
    ...(running.problem ? { configProblem: running.problem } : {}),
    cameras: cameras.statuses(),
  };
}

/** Sets the gauges that are read rather than pushed: the outbox's, and each camera's last frame. */
async function refreshGauges(
  metrics: DetectorMetrics,
  delivery: Delivery,
  cameras: () => readonly CameraStatus[],
): Promise<void> {
  metrics.outboxDepth.set(await delivery.outbox.depth());
  metrics.outboxOldest.set(await oldestPendingSeconds(delivery.dir));
  const now = Date.now() / 1000;
  for (const camera of cameras()) {
    if (camera.lastFrameAt !== undefined) {
      metrics.lastFrameAge.set({ camera: camera.id }, now - camera.lastFrameAt);
    }
  }
}

/** Reports camera health into the Client status, where the options say where. */
function startStatusReport(
  options: DetectorOptions,
  config: DetectorConfig,
  cameras: () => readonly CameraStatus[],
): { stop(): void } | undefined {
  if (!options.statusReport) return undefined;
  return createStatusReporter({
    connection: options.statusReport,
    client: config.client,
    shard: config.shard,
    cameras,
    log: options.log,
    ...(options.statusReportMs === undefined ? {} : { intervalMs: options.statusReportMs }),
  });
}
