/**
 * `vigie-detector`: reads its arguments and environment, starts the detector, and stops it
 * cleanly on SIGTERM or SIGINT.
 */

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Severity } from '@vigie/log';
import { createJsonLogger, errorMessage } from '@vigie/log';
import { DEFAULT_DRAIN_MS, DetectorError, startDetector } from './detector.js';
import { DEFAULT_OUTBOX_BYTES } from './outbox.js';
import { inClusterConnection } from './report.js';

const USAGE = `Usage: vigie-detector --config FILE --console URL --ingest-token-file FILE [options]

Analyses the cameras of one detector shard and sends alerts with evidence to the console.

Options:
  --config FILE             the shard's DetectorConfig (JSON); reloaded live when it changes
  --console URL             the console's base URL
  --ingest-token-file FILE  the tenant's ingest token
  --data-dir DIR            outbox and local evidence (default $VIGIE_DATA_DIR or /tmp/vigie)
  --secrets-dir DIR         camera credential Secrets (default /var/run/secrets/vigie/cameras)
  --port N                  metrics, probes and /status (default $VIGIE_METRICS_PORT or 9464)
  --host ADDRESS            the address that port listens on (default 0.0.0.0, so that a
                            pod's metrics scraper reaches it; vigie up passes 127.0.0.1)
  --threads N               inference threads (default $VIGIE_INFERENCE_THREADS or 1)
  --drain-seconds N         on SIGTERM, how long to keep delivering the outbox before exiting
                            (default 20; 0 where the data dir outlives the process)
  --outbox-mib N            the most the outbox keeps on disk: clips, then snapshots, are
                            shed to stay under it, never alerts (default 128)
  --report-status           write camera health into the Client status, with the pod's
                            ServiceAccount (the operator grants it for this Client only)

Environment: VIGIE_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR).
`;

function fail(code: string, message: string, exitCode: number): never {
  process.stderr.write(`vigie-detector: ${code}: ${message}\n`);
  // Kubernetes shows this file as the container's termination message; the operator reads it.
  try {
    // Only where Kubernetes made the file: elsewhere (vigie up) there is none to create.
    writeFileSync('/dev/termination-log', `${code}: ${message}`, { flag: 'r+' });
  } catch {
    // Not in a container.
  }
  process.exit(exitCode);
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    fail('VIGIE_E_DETECTOR_USAGE', `${name} must be a whole number`, 2);
  return n;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      config: { type: 'string' },
      console: { type: 'string' },
      'ingest-token-file': { type: 'string' },
      'data-dir': { type: 'string' },
      'secrets-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      threads: { type: 'string' },
      'drain-seconds': { type: 'string' },
      'outbox-mib': { type: 'string' },
      'report-status': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail('VIGIE_E_DETECTOR_USAGE', `${errorMessage(error)}\n\n${USAGE}`, 2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const { config, console: consoleUrl } = values;
const tokenFile = values['ingest-token-file'];
if (config === undefined || consoleUrl === undefined || tokenFile === undefined) {
  fail(
    'VIGIE_E_DETECTOR_USAGE',
    `--config, --console and --ingest-token-file are required\n\n${USAGE}`,
    2,
  );
}
const level = (process.env.VIGIE_LOG_LEVEL ?? 'INFO').toUpperCase();
if (!['DEBUG', 'INFO', 'WARNING', 'ERROR'].includes(level)) {
  fail('VIGIE_E_DETECTOR_USAGE', 'VIGIE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR', 2);
}
const log = createJsonLogger((line) => process.stdout.write(line), level as Severity);

try {
  const statusReport = values['report-status'] ? await inClusterConnection(process.env) : undefined;
  if (values['report-status'] && statusReport === undefined) {
    log('WARNING', 'no in-cluster ServiceAccount: camera health stays in /status and metrics');
  }
  const detector = await startDetector({
    ...(statusReport === undefined ? {} : { statusReport }),
    configPath: config,
    consoleUrl,
    tokenFile,
    dataDir: values['data-dir'] ?? process.env.VIGIE_DATA_DIR ?? '/tmp/vigie',
    secretsDir: values['secrets-dir'] ?? '/var/run/secrets/vigie/cameras',
    host: values.host ?? '0.0.0.0',
    port: positive(values.port ?? process.env.VIGIE_METRICS_PORT, '--port', 9464),
    threads: Math.max(
      1,
      positive(values.threads ?? process.env.VIGIE_INFERENCE_THREADS, '--threads', 1),
    ),
    drainMs: positive(values['drain-seconds'], '--drain-seconds', DEFAULT_DRAIN_MS / 1000) * 1000,
    outboxBytes:
      positive(values['outbox-mib'], '--outbox-mib', DEFAULT_OUTBOX_BYTES / 1024 / 1024) *
      1024 *
      1024,
    log,
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log('INFO', 'stopping', { signal });
    detector.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log('ERROR', 'stop failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
} catch (error) {
  if (error instanceof DetectorError) fail(error.code, error.message, 1);
  fail('VIGIE_E_DETECTOR_FAILED', errorMessage(error), 1);
}
