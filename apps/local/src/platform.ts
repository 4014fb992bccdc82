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
import { createServer } from 'node:http';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { Outcome } from '@vigie/config-function';
import { createFolderObjectStore, createHandler, watchFolder } from '@vigie/config-function';
import type { ConsoleApp, Sql } from '@vigie/console';
import {
  createApiToken,
  createConsoleService,
  createFolderEvidenceStore,
  createPgliteSql,
  inTransaction,
  migrate,
  parseWebhookAllowance,
  principalOfToken,
  setIngestToken,
} from '@vigie/console';
import type { Logger } from '@vigie/log';
import { errorMessage, VigieError } from '@vigie/log';
import type { LocalClients } from './clients.js';
import { createLocalClientStore } from './clients.js';
import { createLocalDirectory } from './directory.js';
import { writeSample } from './sample.js';
import {
  clientSecretsDir,
  createFolderSecretReader,
  ensureIngestToken,
  ingestTokenPath,
} from './secrets.js';
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

/** A `vigie up` failure that people can act on, with a stable code. */
export class LocalPlatformError extends VigieError {
  override readonly name = 'LocalPlatformError';
}

const PREFIX = 'client-configs/';

function packageFile(specifier: string, file: string): string {
  return join(dirname(fileURLToPath(import.meta.resolve(specifier))), file);
}

/** Refuses a second `vigie up` on the same folder: two embedded databases would corrupt it. */
async function lock(dataDir: string): Promise<string> {
  const path = join(dataDir, 'vigie.pid');
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        throw new LocalPlatformError(
          'VIGIE_E_ALREADY_RUNNING',
          `vigie up already runs on ${dataDir} (process ${String(pid)}); stop it first, or use another --data folder`,
        );
      } catch (error) {
        if (error instanceof LocalPlatformError) throw error;
        // That process is gone: the lock is stale.
      }
    }
  } catch (error) {
    if (error instanceof LocalPlatformError) throw error;
  }
  await writeFile(path, `${String(process.pid)}\n`);
  return path;
}

/**
 * Makes these clients' ingest tokens the only ones the console accepts, so that a removed
 * client's token stops working, as the digests the operator writes into each Client's status do
 * in a cluster.
 */
async function syncIngestTokens(sql: Sql, tokens: ReadonlyMap<string, string>): Promise<void> {
  await inTransaction(sql, async (tx) => {
    await tx.query('DELETE FROM ingest_tokens WHERE NOT (client = ANY($1::text[]))', [
      [...tokens.keys()],
    ]);
  });
  for (const [client, token] of tokens) await setIngestToken(sql, client, token);
}

function describe(name: string, outcome: Outcome | Error): string | undefined {
  if (outcome instanceof Error)
    return `${name}: could not be processed (${outcome.message}); retrying`;
  switch (outcome.result) {
    case 'applied':
      return `${name}: applied, client ${outcome.client} is being started`;
    case 'rejected':
      return `${name}: REJECTED, ${String(outcome.problems.length)} problem(s); the previous config keeps running\n${outcome.problems
        .slice(0, 10)
        .map((p) => `    ${String(p.line)}:${String(p.column)} ${p.code} ${p.message}`)
        .join('\n')}`;
    case 'deleted':
      return `${name}: deleted, client ${outcome.client} is being removed`;
    case 'ignored':
      return undefined;
  }
}

/** Starts everything; resolves once the console answers and every config present was read. */
export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const { dataDir, log } = options;
  // A mistyped allowance is refused before anything starts, rather than denying silently.
  const webhookAllow =
    options.webhookAllow === undefined
      ? undefined
      : parseWebhookAllowance(options.webhookAllow, '--webhook-allow');
  if (webhookAllow !== undefined && 'error' in webhookAllow) {
    throw new LocalPlatformError('VIGIE_E_WEBHOOK_ALLOW', webhookAllow.error);
  }
  const bucketRoot = join(dataDir, 'bucket');
  const configsDir = join(bucketRoot, PREFIX);
  const secretsRoot = join(dataDir, 'secrets');
  const fresh = !existsSync(join(dataDir, 'db'));
  await mkdir(dataDir, { recursive: true });
  const lockPath = await lock(dataDir);
  const undo: (() => Promise<void>)[] = [() => rm(lockPath, { force: true })];
  const stop = async () => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (error) {
        log('WARNING', 'a part did not stop cleanly', { error: String(error) });
      }
    }
  };

  try {
    // 1. Detectors an earlier run on this folder left running, if it was killed before it
    //    could stop them (the lock above says that run is gone).
    const detectorMain = packageFile('@vigie/detector', 'main.js');
    await stopStaleDetectors({ dataDir, detectorMain, log });

    // 2. Storage: the embedded database and the evidence folder.
    await mkdir(join(dataDir, 'db'), { recursive: true });
    const sql = createPgliteSql(new PGlite(join(dataDir, 'db')));
    undo.push(() => sql.close());
    await migrate(sql);
    const evidence = createFolderEvidenceStore(join(dataDir, 'evidence'));

    // 3. The admin's token: made once, kept in the data folder for this user only.
    const tokenPath = join(dataDir, 'admin-token');
    let adminToken = existsSync(tokenPath) ? (await readFile(tokenPath, 'utf8')).trim() : '';
    if (adminToken === '' || (await principalOfToken(sql, adminToken)) === undefined) {
      adminToken = await createApiToken(sql, { subject: 'admin', role: 'admin', clients: '*' });
      await writeFile(tokenPath, `${adminToken}\n`, { mode: 0o600 });
    }

    // 4. Clients, the supervisor and the console.
    // The function writes reports with it; the console trusts only the reports it wrote.
    const objects = createFolderObjectStore(bucketRoot);
    const clients = createLocalClientStore(join(dataDir, 'clients'));
    await clients.load();
    const port = options.port;
    let consoleUrl = '';
    const supervisor = createSupervisor({
      dataDir,
      get consoleUrl() {
        return consoleUrl;
      },
      detectorMain,
      ingestTokenFile: (client) => ingestTokenPath(secretsRoot, client),
      secretsDir: (client) => clientSecretsDir(secretsRoot, client),
      log,
    });
    undo.push(() => supervisor.stop());
    const uiRoot = packageFile('@vigie/console', 'ui');
    if (!existsSync(join(uiRoot, 'index.html'))) {
      log('WARNING', 'the review UI is not built (npm run build): only the API is served');
    }
    const service = createConsoleService({
      sql,
      evidence,
      directory: createLocalDirectory({ clients, supervisor, bucketRoot, prefix: PREFIX, objects }),
      secrets: createFolderSecretReader(secretsRoot),
      ...(webhookAllow === undefined ? {} : { webhookAllow }),
      ...(existsSync(join(uiRoot, 'index.html')) ? { ui: { root: uiRoot } } : {}),
      log,
    });
    const { app } = service;
    undo.push(() => service.stop());
    await service.start();
    let url: string;
    try {
      url = await app.listen({ host: options.host, port });
    } catch (error) {
      throw new LocalPlatformError(
        'VIGIE_E_PORT_IN_USE',
        `the console cannot listen on ${options.host}:${String(port)}: ${errorMessage(error)}; pick another with --port`,
      );
    }
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address !== null ? address.port : port;
    consoleUrl = `http://127.0.0.1:${String(boundPort)}`;
    if (options.host === '0.0.0.0' || options.host === '::') url = consoleUrl;

    // 5. Metrics on a port of their own, on the loopback whatever --host says, as a pod serves
    //    them apart from the API: they name every client, and need no token to be scraped.
    const metricsServer = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      app.metrics.registry.metrics().then(
        (body) => {
          response.writeHead(200, { 'content-type': app.metrics.registry.contentType }).end(body);
        },
        (error: unknown) => {
          log('ERROR', 'metrics could not be collected', { error: String(error) });
          response.writeHead(500).end();
        },
      );
    });
    try {
      await new Promise<void>((resolve, reject) => {
        metricsServer.once('error', reject);
        metricsServer.listen(options.metricsPort ?? 0, '127.0.0.1', resolve);
      });
    } catch (error) {
      throw new LocalPlatformError(
        'VIGIE_E_PORT_IN_USE',
        `the metrics cannot listen on 127.0.0.1:${String(options.metricsPort ?? 0)}: ${errorMessage(error)}; pick another with --metrics-port`,
      );
    }
    undo.push(
      () =>
        new Promise<void>((resolve) => {
          metricsServer.close(() => {
            resolve();
          });
          metricsServer.closeAllConnections();
        }),
    );
    const metricsAddress = metricsServer.address();
    const metricsUrl = `http://127.0.0.1:${String(
      typeof metricsAddress === 'object' && metricsAddress !== null ? metricsAddress.port : 0,
    )}/metrics`;

    // 6. Each client change: the clients' ingest tokens, then the detectors converge on the plan.
    const converge = async () => {
      const tokens = new Map<string, string>();
      for (const resource of clients.list()) {
        const name = resource.metadata.name;
        tokens.set(name, await ensureIngestToken(secretsRoot, name));
      }
      await syncIngestTokens(sql, tokens);
      await supervisor.sync(clients.list());
    };
    let pending: Promise<void> = Promise.resolve();
    const unsubscribe = clients.onChange(() => {
      pending = pending.then(converge).catch((error: unknown) => {
        log('ERROR', 'could not start the client', { error: String(error) });
      });
    });
    undo.push(async () => {
      unsubscribe();
      await pending;
    });
    await converge();

    // 7. The bucket folder and the config function on its events.
    await mkdir(configsDir, { recursive: true });
    if (options.sample && fresh && (await readdir(configsDir)).length === 0) {
      await writeSample({ footageDir: join(dataDir, 'footage'), configsDir });
    }
    const handle = createHandler({ objects, clients, log });
    const watcher = watchFolder({
      root: bucketRoot,
      prefix: PREFIX,
      handle,
      objects,
      log,
      onOutcome: (name, outcome) => {
        // Reports written next to the files come back as events too; they are not news.
        const line = describe(name, outcome);
        if (line !== undefined) options.onConfig?.(line);
      },
    });
    undo.push(() => {
      watcher.close();
      return Promise.resolve();
    });
    await watcher.ready;
    await pending;

    return { url, metricsUrl, adminToken, configsDir, app, clients, supervisor, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
