/**
 * `vigie up`: every part of Vigie in one process tree on one machine, with the production code.
 *
 * ```
 * <data>/bucket/client-configs/*.xml ─► folder watcher ─► the config function's handler
 *    ─► local Client store ─► supervisor (planClient) ─► vigie-detector processes
 *    ─► console (PGlite in <data>/db, evidence in <data>/evidence) ─► browser
 * ```
 *
 * Boot reads top to bottom, one stage at a time; `stop` undoes it in reverse.
 */

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { FolderObjectStore } from '@vigie/config-function';
import { createFolderObjectStore, createHandler, watchFolder } from '@vigie/config-function';
import type { ConsoleApp, Sql, SqlStore, WebhookAllowance } from '@vigie/console';
import {
  createApiToken,
  createConsoleService,
  createFolderEvidenceStore,
  createPgliteSql,
  migrate,
  parseWebhookAllowance,
  principalOfToken,
} from '@vigie/console';
import type { Logger } from '@vigie/log';
import { errorMessage } from '@vigie/log';
import { followClients } from './client-sync.js';
import type { LocalClients } from './clients.js';
import { createLocalClientStore } from './clients.js';
import { describeConfigOutcome } from './config-lines.js';
import { lockDataDir } from './data-lock.js';
import { createLocalDirectory } from './directory.js';
import { LocalPlatformError } from './errors.js';
import { serveMetrics } from './metrics-server.js';
import { writeSample } from './sample.js';
import { clientSecretsDir, createFolderSecretReader, ingestTokenPath } from './secrets.js';
import type { Supervisor } from './supervisor.js';
import { createSupervisor } from './supervisor.js';
import { stopStaleDetectors } from './supervisor-stale.js';

/** Options of {@link startLocalPlatform}. */
export interface LocalPlatformOptions {
  /** Everything lives here; a restart with the same folder keeps alerts, clients and tokens. */
  readonly dataDir: string;
  readonly host: string;
  /** The console's port; 0 picks a free one. */
  readonly port: number;
  /** The port of `/metrics`, on 127.0.0.1 whatever `host` is. Default 0: a free one. */
  readonly metricsPort?: number;
  /** Loads the sample client when the data folder is new. */
  readonly sample: boolean;
  readonly log: Logger;
  /** One line for people per config event (applied, rejected, removed). */
  readonly onConfig?: (line: string) => void;
  /**
   * Address ranges and exact host names that webhooks may reach although they are internal
   * (loopback, private, link-local…), comma-separated, as the console's `VIGIE_WEBHOOK_ALLOW`;
   * none by default. For receivers on this machine or its network.
   */
  readonly webhookAllow?: string;
}

/** The running platform. */
export interface LocalPlatform {
  /** The console's URL. */
  readonly url: string;
  /** Where Prometheus scrapes the console: `http://127.0.0.1:<port>/metrics`. */
  readonly metricsUrl: string;
  /** The admin's console API token. */
  readonly adminToken: string;
  /** Where client configs are dropped. */
  readonly configsDir: string;
  readonly app: ConsoleApp;
  readonly clients: LocalClients;
  readonly supervisor: Supervisor;
  stop(): Promise<void>;
}

const PREFIX = 'client-configs/';

function packageFile(specifier: string, file: string): string {
  return join(dirname(fileURLToPath(import.meta.resolve(specifier))), file);
}

/** Starts everything; resolves once the console answers and every config present was read. */
export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const { dataDir, log } = options;
  const webhookAllow = verifyWebhookAllow(options.webhookAllow);
  const bucketRoot = join(dataDir, 'bucket');
  const configsDir = join(bucketRoot, PREFIX);
  const secretsRoot = join(dataDir, 'secrets');
  const fresh = !existsSync(join(dataDir, 'db'));
  await mkdir(dataDir, { recursive: true });
  const lockPath = await lockDataDir(dataDir);
  const undo = createUndoStack(log);
  undo.push(() => rm(lockPath, { force: true }));

  try {
    // 1. Detectors an earlier run on this folder left running, if it was killed before it
    //    could stop them (the lock above says that run is gone).
    const detectorMain = packageFile('@vigie/detector', 'main.js');
    await stopStaleDetectors({ dataDir, detectorMain, log });

    // 2. The embedded database (the evidence folder is the console's, in step 4).
    const sql = await openDatabase(dataDir);
    undo.push(() => sql.close());
    await migrate(sql);

    // 3. The admin's token: made once, kept in the data folder for this user only.
    const adminToken = await ensureAdminToken(sql, dataDir);

    // 4. Clients, the supervisor and the console.
    // The function writes reports with it; the console trusts only the reports it wrote.
    const objects = createFolderObjectStore(bucketRoot);
    const clients = createLocalClientStore(join(dataDir, 'clients'));
    await clients.load();
    const consoleAddress = { url: '' };
    const supervisor = createLocalSupervisor({
      dataDir,
      detectorMain,
      secretsRoot,
      consoleAddress,
      log,
    });
    undo.push(() => supervisor.stop());
    const directory = createLocalDirectory({
      clients,
      supervisor,
      bucketRoot,
      prefix: PREFIX,
      objects,
    });
    const started = await startConsole({
      options,
      sql,
      directory,
      secretsRoot,
      webhookAllow,
      undo,
    });
    consoleAddress.url = started.loopbackUrl;

    // 5. Metrics on a port of their own, on the loopback whatever --host says.
    const metrics = await serveMetrics({
      registry: started.app.metrics.registry,
      port: options.metricsPort ?? 0,
      log,
    });
    undo.push(() => metrics.close());

    // 6. Each client change: the clients' ingest tokens, then the detectors converge on the plan.
    const following = await followClients({ clients, sql, supervisor, secretsRoot, log });
    undo.push(() => following.stop());

    // 7. The bucket folder and the config function on its events.
    await startConfigFunction({ options, bucketRoot, configsDir, fresh, objects, clients, undo });
    await following.settled();

    const { url, app } = started;
    const stop = () => undo.run();
    return { url, metricsUrl: metrics.url, adminToken, configsDir, app, clients, supervisor, stop };
  } catch (error) {
    await undo.run();
    throw error;
  }
}

/** A mistyped allowance is refused before anything starts, rather than denying silently. */
function verifyWebhookAllow(raw: string | undefined): WebhookAllowance | undefined {
  if (raw === undefined) return undefined;
  const allowance = parseWebhookAllowance(raw, '--webhook-allow');
  if ('error' in allowance) {
    throw new LocalPlatformError('VIGIE_E_WEBHOOK_ALLOW', allowance.error);
  }
  return allowance;
}

/** What stops the platform: each part started, undone in reverse, whatever fails on the way. */
interface UndoStack {
  push(step: () => Promise<void>): void;
  run(): Promise<void>;
}

function createUndoStack(log: Logger): UndoStack {
  const steps: (() => Promise<void>)[] = [];
  return {
    push(step) {
      steps.push(step);
    },
    async run() {
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (error) {
          log('WARNING', 'a part did not stop cleanly', { error: String(error) });
        }
      }
    },
  };
}

async function openDatabase(dataDir: string): Promise<SqlStore> {
  await mkdir(join(dataDir, 'db'), { recursive: true });
  return createPgliteSql(new PGlite(join(dataDir, 'db')));
}

/** The admin's console API token, made once and kept in the data folder for this user only. */
async function ensureAdminToken(sql: Sql, dataDir: string): Promise<string> {
  const tokenPath = join(dataDir, 'admin-token');
  let adminToken = existsSync(tokenPath) ? (await readFile(tokenPath, 'utf8')).trim() : '';
  if (adminToken === '' || (await principalOfToken(sql, adminToken)) === undefined) {
    adminToken = await createApiToken(sql, { subject: 'admin', role: 'admin', clients: '*' });
    await writeFile(tokenPath, `${adminToken}\n`, { mode: 0o600 });
  }
  return adminToken;
}

/**
 * The supervisor of the detector processes. The console's address is known only once it
 * listens, after the supervisor is made: each detector start reads it then.
 */
function createLocalSupervisor(step: {
  readonly dataDir: string;
  readonly detectorMain: string;
  readonly secretsRoot: string;
  readonly consoleAddress: { readonly url: string };
  readonly log: Logger;
}): Supervisor {
  const { secretsRoot, consoleAddress } = step;
  return createSupervisor({
    dataDir: step.dataDir,
    get consoleUrl() {
      return consoleAddress.url;
    },
    detectorMain: step.detectorMain,
    ingestTokenFile: (client) => ingestTokenPath(secretsRoot, client),
    secretsDir: (client) => clientSecretsDir(secretsRoot, client),
    log: step.log,
  });
}

/** What {@link startConsole} needs. */
interface ConsoleStep {
  readonly options: LocalPlatformOptions;
  readonly sql: Sql;
  readonly directory: ReturnType<typeof createLocalDirectory>;
  readonly secretsRoot: string;
  readonly webhookAllow: WebhookAllowance | undefined;
  readonly undo: UndoStack;
}

/**
 * Starts the console on the embedded database and the evidence folder, and listens. Returns
 * the URL people open, and the loopback one the detectors send alerts to.
 */
async function startConsole(step: ConsoleStep): Promise<{
  app: ConsoleApp;
  url: string;
  loopbackUrl: string;
}> {
  const { options, webhookAllow } = step;
  const { dataDir, log, host, port } = options;
  const uiRoot = packageFile('@vigie/console', 'ui');
  if (!existsSync(join(uiRoot, 'index.html'))) {
    log('WARNING', 'the review UI is not built (npm run build): only the API is served');
  }
  const service = createConsoleService({
    sql: step.sql,
    evidence: createFolderEvidenceStore(join(dataDir, 'evidence')),
    directory: step.directory,
    secrets: createFolderSecretReader(step.secretsRoot),
    ...(webhookAllow === undefined ? {} : { webhookAllow }),
    ...(existsSync(join(uiRoot, 'index.html')) ? { ui: { root: uiRoot } } : {}),
    log,
  });
  const { app } = service;
  step.undo.push(() => service.stop());
  await service.start();
  let url: string;
  try {
    url = await app.listen({ host, port });
  } catch (error) {
    throw new LocalPlatformError(
      'VIGIE_E_PORT_IN_USE',
      `the console cannot listen on ${host}:${String(port)}: ${errorMessage(error)}; pick another with --port`,
    );
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const loopbackUrl = `http://127.0.0.1:${String(boundPort)}`;
  if (host === '0.0.0.0' || host === '::') url = loopbackUrl;
  return { app, url, loopbackUrl };
}

/** What {@link startConfigFunction} needs. */
interface ConfigFunctionStep {
  readonly options: LocalPlatformOptions;
  readonly bucketRoot: string;
  readonly configsDir: string;
  /** The data folder is new: the sample client may be loaded. */
  readonly fresh: boolean;
  readonly objects: FolderObjectStore;
  readonly clients: LocalClients;
  readonly undo: UndoStack;
}

/** Runs the config function on the bucket folder's events; resolves once every file was read. */
async function startConfigFunction(step: ConfigFunctionStep): Promise<void> {
  const { options, configsDir, objects, clients } = step;
  const { dataDir, log } = options;
  await mkdir(configsDir, { recursive: true });
  if (options.sample && step.fresh && (await readdir(configsDir)).length === 0) {
    await writeSample({ footageDir: join(dataDir, 'footage'), configsDir });
  }
  const handle = createHandler({ objects, clients, log });
  const watcher = watchFolder({
    root: step.bucketRoot,
    prefix: PREFIX,
    handle,
    objects,
    log,
    onOutcome: (name, outcome) => {
      // Reports written next to the files come back as events too; they are not news.
      const line = describeConfigOutcome(name, outcome);
      if (line !== undefined) options.onConfig?.(line);
    },
  });
  step.undo.push(() => {
    watcher.close();
    return Promise.resolve();
  });
  await watcher.ready;
}
