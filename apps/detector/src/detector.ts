/**
 * The detector: one process per shard. It reads the shard's config, runs each camera's pipeline,
 * keeps alerts in a durable outbox until the console has them, reloads its config live, and
 * serves `/metrics`, `/healthz`, `/readyz` and `/status`.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@vigie/log';
import type { CameraPlan, DetectorConfig } from '@vigie/plan';
import type { CameraRunner, CameraStatus } from './camera.js';
import { startCamera } from './camera.js';
import type { ConfigProblem } from './config.js';
import { readDetectorConfig, watchDetectorConfig } from './config.js';
import type { DetectorMetrics } from './metrics.js';
import { createDetectorMetrics } from './metrics.js';
import type { PoseModel } from './models/model.js';
import { createMoveNet } from './models/movenet.js';
import { createOnnxPoseModel, fetchModel, ModelError } from './models/onnx.js';
import type { AlertSink, Outbox } from './outbox.js';
import { createConsoleSink, createOutbox, oldestPendingSeconds } from './outbox.js';
import type { KubeConnection } from './report.js';
import { createStatusReporter } from './report.js';
import { isPoseRecording } from './sources.js';

/** A detector failure at start, with a stable code for the container's termination message. */
export class DetectorError extends Error {
  override readonly name = 'DetectorError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
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

/** What `/status` answers. */
export interface DetectorStatus {
  readonly client: string;
  readonly shard: string;
  readonly configDigest: string;
  /** The last config that was refused, if it is still the file's content. */
  readonly configProblem?: ConfigProblem;
  readonly cameras: readonly CameraStatus[];
}

/** What must restart a camera when it changes; anything else is applied live. */
function restartKey(camera: CameraPlan): string {
  return JSON.stringify({ stream: camera.stream, analysis: camera.analysis, model: camera.model });
}

/** Starts a detector. Throws a {@link DetectorError} when it cannot start at all. */
export async function startDetector(options: DetectorOptions): Promise<Detector> {
  const { log } = options;
  const read = await readDetectorConfig(options.configPath);
  if (!read.ok) throw new DetectorError(read.problem.code, read.problem.message);
  let config = read.config;
  let digest = read.digest;
  let configProblem: ConfigProblem | undefined;
  const metrics = createDetectorMetrics();

  const sink =
    options.sink ??
    (() => {
      const { consoleUrl, tokenFile } = options;
      if (consoleUrl === undefined || tokenFile === undefined) {
        throw new DetectorError(
          'VIGIE_E_DETECTOR_USAGE',
          'the console URL and ingest token file are required',
        );
      }
      return createConsoleSink({ consoleUrl, token: () => readFile(tokenFile, 'utf8') });
    })();
  const queuedAt = new Map<string, number>();
  const outbox = createOutbox({
    dir: join(options.dataDir, 'outbox'),
    sink,
    ...(options.outboxBytes === undefined ? {} : { maxBytes: options.outboxBytes }),
    onShed: ({ id, kind, bytes }) => {
      metrics.evidenceShed.inc({ kind });
      log('WARNING', 'the outbox is full: evidence dropped, the alert is kept', {
        item: id,
        kind,
        bytes,
      });
    },
    onAttempt: ({ id, ok, error }) => {
      metrics.deliveries.inc({ result: ok ? 'delivered' : 'failed' });
      if (!ok) {
        log('WARNING', 'delivery to the console failed; will retry', { item: id, error });
        return;
      }
      const t = queuedAt.get(id);
      if (t !== undefined) {
        queuedAt.delete(id);
        metrics.alertLatency.observe(Date.now() / 1000 - t);
      }
    },
  });
  outbox.start();

  // The default model is shared by the shard's cameras; it loads once, if any camera uses it.
  let model: PoseModel | undefined;
  let modelError: { code: string; message: string } | undefined;
  const needsModel = (c: DetectorConfig): boolean =>
    c.cameras.some(
      (camera) => camera.model.kind === 'default' && !isPoseRecording(camera.stream.url),
    );
  async function ensureModel(): Promise<void> {
    if (model || modelError || !needsModel(config)) return;
    try {
      model = await createMoveNet({
        threads: options.threads ?? 1,
        onInference: (s) => {
          metrics.stageSeconds.observe({ stage: 'inference' }, s);
        },
      });
      metrics.info.set({ client: config.client, shard: config.shard, model: model.name }, 1);
      log('INFO', 'model loaded', { model: model.name });
    } catch (e) {
      modelError = {
        code: 'VIGIE_E_MODEL_LOAD',
        message: e instanceof Error ? e.message : String(e),
      };
      log('ERROR', 'the default model did not load', modelError);
    }
  }
  await ensureModel();

  // Custom models, by digest and input size: fetched, verified and loaded once per detector.
  const custom = new Map<string, PoseModel | { code: string; message: string }>();
  async function customModel(
    plan: Extract<CameraPlan['model'], { kind: 'onnx' }>,
  ): Promise<PoseModel | { code: string; message: string }> {
    const key = `${plan.sha256}@${String(plan.inputSize)}`;
    const known = custom.get(key);
    if (known) return known;
    let loaded: PoseModel | { code: string; message: string };
    try {
      const path = await fetchModel(plan, { cacheDir: join(options.dataDir, 'models') });
      loaded = await createOnnxPoseModel(plan, path, { threads: options.threads ?? 1 });
      log('INFO', 'custom model loaded', { model: plan.id, sha256: plan.sha256 });
    } catch (e) {
      loaded =
        e instanceof ModelError
          ? { code: e.code, message: e.message }
          : { code: 'VIGIE_E_MODEL_INVALID', message: e instanceof Error ? e.message : String(e) };
      log('ERROR', 'custom model not usable', { model: plan.id, ...loaded });
    }
    custom.set(key, loaded);
    return loaded;
  }

  const cameras = new Map<string, { runner: CameraRunner; key: string }>();
  async function modelFor(
    camera: CameraPlan,
  ): Promise<PoseModel | { code: string; message: string }> {
    if (camera.model.kind === 'onnx') return customModel(camera.model);
    return (
      model ?? modelError ?? { code: 'VIGIE_E_MODEL_LOAD', message: 'the model is not loaded' }
    );
  }
  async function start(camera: CameraPlan): Promise<CameraRunner> {
    return startCamera({
      config,
      camera,
      model: await modelFor(camera),
      outbox,
      metrics,
      log,
      secretsDir: options.secretsDir,
      onAlertQueued: (alert) => {
        queuedAt.set(alert.id, alert.t);
      },
    });
  }
  async function apply(next: DetectorConfig): Promise<void> {
    config = next;
    await ensureModel();
    const wanted = new Map(next.cameras.map((c) => [c.id, c]));
    for (const [id, running] of cameras) {
      const camera = wanted.get(id);
      if (!camera || restartKey(camera) !== running.key) {
        cameras.delete(id);
        await running.runner.stop();
        log(
          'INFO',
          camera ? 'camera restarts for its new stream, analysis or model' : 'camera removed',
          { camera: id },
        );
      }
    }
    for (const camera of next.cameras) {
      const running = cameras.get(camera.id);
      if (running) running.runner.reconfigure(next, camera);
      else {
        cameras.set(camera.id, { runner: await start(camera), key: restartKey(camera) });
        log('INFO', 'camera started', { camera: camera.id, name: camera.name });
      }
    }
  }
  await apply(config);
  let applying = Promise.resolve();
  const watcher = watchDetectorConfig({
    path: options.configPath,
    digest,
    ...(options.configPollMs === undefined ? {} : { pollMs: options.configPollMs }),
    onConfig: (next, nextDigest) => {
      applying = applying.then(async () => {
        if (next.client !== config.client || next.shard !== config.shard) {
          configProblem = {
            code: 'VIGIE_E_DETECTOR_CONFIG',
            message: `the config is for ${next.client}/${next.shard}, not ${config.client}/${config.shard}`,
          };
          metrics.configReloads.inc({ result: 'rejected' });
          log('ERROR', 'config refused; the last good config keeps running', { ...configProblem });
          return;
        }
        digest = nextDigest;
        configProblem = undefined;
        await apply(next);
        metrics.configReloads.inc({ result: 'applied' });
        log('INFO', 'config reloaded', { digest: nextDigest.slice(0, 12) });
      });
    },
    onProblem: (problem) => {
      configProblem = problem;
      metrics.configReloads.inc({ result: 'rejected' });
      log('ERROR', 'config refused; the last good config keeps running', { ...problem });
    },
  });

  // Earlier detectors kept local copies of evidence here; what is left is deleted after the
  // retention period.
  const sweep = async (): Promise<void> => {
    const dir = join(options.dataDir, 'evidence');
    const cutoff = Date.now() - config.privacy.evidenceRetentionDays * 86_400_000;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        if ((await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
      } catch {
        // Gone already.
      }
    }
  };
  void sweep();
  const sweeper = setInterval(() => void sweep(), 3_600_000);

  const status = (): DetectorStatus => ({
    client: config.client,
    shard: config.shard,
    configDigest: digest,
    ...(configProblem ? { configProblem } : {}),
    cameras: [...cameras.values()].map((c) => c.runner.status()),
  });
  const refreshGauges = async (): Promise<void> => {
    metrics.outboxDepth.set(await outbox.depth());
    metrics.outboxOldest.set(await oldestPendingSeconds(join(options.dataDir, 'outbox')));
    const now = Date.now() / 1000;
    for (const camera of status().cameras) {
      if (camera.lastFrameAt !== undefined) {
        metrics.lastFrameAge.set({ camera: camera.id }, now - camera.lastFrameAt);
      }
    }
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'content-type': type }).end(body);
    };
    switch (path) {
      case '/metrics':
        refreshGauges()
          .then(() => metrics.registry.metrics())
          .then(
            (text) => {
              reply(200, text, metrics.registry.contentType);
            },
            (e: unknown) => {
              reply(500, String(e));
            },
          );
        return;
      case '/healthz':
        reply(200, 'ok\n');
        return;
      case '/readyz': {
        // Ready once the config runs and the model (when needed) is loaded; a camera that is
        // down does not make the shard unready, its status says why.
        const ready = !needsModel(config) || model !== undefined;
        reply(
          ready ? 200 : 503,
          ready ? 'ok\n' : `${modelError?.message ?? 'loading the model'}\n`,
        );
        return;
      }
      case '/status':
        reply(200, `${JSON.stringify(status(), null, 2)}\n`, 'application/json');
        return;
      default:
        reply(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  const reporter = options.statusReport
    ? createStatusReporter({
        connection: options.statusReport,
        client: config.client,
        shard: config.shard,
        cameras: () => status().cameras,
        log,
        ...(options.statusReportMs === undefined ? {} : { intervalMs: options.statusReportMs }),
      })
    : undefined;
  log('INFO', 'detector started', {
    client: config.client,
    shard: config.shard,
    cameras: config.cameras.length,
    port: (server.address() as AddressInfo).port,
  });

  return {
    port: (server.address() as AddressInfo).port,
    metrics,
    outbox,
    status,
    async stop() {
      watcher.close();
      clearInterval(sweeper);
      reporter?.stop();
      await applying;
      await Promise.all([...cameras.values()].map((c) => c.runner.stop()));
      cameras.clear();
      // A pod being deleted or rolled loses its scratch volume: hand what is waiting to the
      // console first, within the time Kubernetes leaves before it kills the container.
      const drainMs = options.drainMs ?? DEFAULT_DRAIN_MS;
      if (drainMs > 0 && (await outbox.depth()) > 0) {
        log('INFO', 'delivering the outbox before stopping', { waiting: await outbox.depth() });
        let timer: NodeJS.Timeout | undefined;
        const drained = await Promise.race([
          outbox.drained().then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => {
              resolve(false);
            }, drainMs);
          }),
        ]);
        clearTimeout(timer);
        if (!drained) {
          log('WARNING', 'stopping with alerts still in the outbox', {
            waiting: await outbox.depth(),
          });
        }
      }
      await outbox.stop();
      model?.dispose();
      for (const loaded of custom.values()) if ('detect' in loaded) loaded.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
