/**
 * `vigie-console`: reads its environment, connects PostgreSQL, the bucket and the cluster,
 * serves the API and the review UI, delivers notifications, and stops cleanly on SIGTERM.
 * Metrics and probes get a port of their own, which the Ingress never publishes.
 */

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Storage } from '@google-cloud/storage';
import { KubeConfig } from '@kubernetes/client-node';
import { createJsonLogger } from '@vigie/log';
import type { Authenticator } from './auth/authenticate.js';
import {
  chainAuthenticators,
  createJwtAuthenticator,
  createTokenAuthenticator,
} from './auth/authenticate.js';
import { createClusterDirectory } from './cluster/directory.js';
import { bucketReports, kubeClients, kubeSecrets, syncIngestTokens } from './cluster/sources.js';
import { readConsoleSettings } from './env.js';
import { createConsoleService } from './service.js';
import { migrate } from './storage/db.js';
import { createFolderEvidenceStore, createGcsEvidenceStore } from './storage/evidence.js';
import { setUser } from './storage/people.js';
import { createPostgresSql } from './storage/postgres.js';

const settings = readConsoleSettings(process.env);
if ('error' in settings) {
  process.stderr.write(`vigie-console: VIGIE_E_CONSOLE_SETTINGS: ${settings.error}\n`);
  process.exit(2);
}
const log = createJsonLogger((line) => process.stdout.write(line), settings.logLevel);

const sql = createPostgresSql({ connectionString: settings.databaseUrl });
const applied = await migrate(sql);
if (applied.length > 0) log('INFO', 'database migrated', { versions: applied });
if (settings.bootstrapAdmin !== undefined) {
  await setUser(sql, { subject: settings.bootstrapAdmin, role: 'admin', clients: '*' });
}

const storage = new Storage(
  settings.storageEndpoint === undefined ? {} : { apiEndpoint: settings.storageEndpoint },
);
const evidence =
  settings.evidence.kind === 'bucket'
    ? createGcsEvidenceStore(storage, settings.evidence.bucket)
    : createFolderEvidenceStore(settings.evidence.dir);
const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const reports = settings.configBucket;
const directory = createClusterDirectory({
  clients: kubeClients(kubeConfig),
  reports:
    reports === undefined ? () => Promise.resolve(new Map()) : bucketReports(storage, reports),
});

const authenticators: Authenticator[] = [createTokenAuthenticator(sql)];
for (const mode of settings.auth) {
  authenticators.push(
    mode.kind === 'iap'
      ? createJwtAuthenticator({ sql, kind: 'iap', audience: mode.audience })
      : createJwtAuthenticator({
          sql,
          kind: 'oidc',
          issuer: mode.issuer,
          audience: mode.audience,
          jwksUrl: mode.jwksUrl,
        }),
  );
}
const smtpPassword =
  settings.smtpPasswordFile === undefined
    ? undefined
    : (await readFile(settings.smtpPasswordFile, 'utf8')).trim();
const uiDir = settings.uiDir ?? join(dirname(fileURLToPath(import.meta.url)), 'ui');

const service = createConsoleService({
  sql,
  evidence,
  directory,
  secrets: kubeSecrets(kubeConfig),
  authenticate: chainAuthenticators(...authenticators),
  ui: { root: uiDir },
  log,
  ...(settings.smtp
    ? {
        smtp: {
          ...settings.smtp,
          ...(smtpPassword === undefined ? {} : { password: smtpPassword }),
        },
      }
    : {}),
  ...(settings.publicUrl === undefined ? {} : { publicUrl: settings.publicUrl }),
  ...(settings.webhookAllow === undefined ? {} : { webhookAllow: settings.webhookAllow }),
});
await service.start();

// Detectors' ingest tokens: their digests follow the Clients' status.
let synced = false;
const sync = async () => {
  try {
    const count = await syncIngestTokens(sql, await directory.clients());
    if (!synced) log('INFO', 'ingest tokens synced', { clients: count });
    synced = true;
  } catch (error) {
    log('WARNING', 'could not read Clients; ingest tokens unchanged', { error: String(error) });
  }
};
await sync();
const syncTimer = setInterval(() => void sync(), 10_000);

const metrics = createServer((request, response) => {
  if (request.url === '/metrics') {
    service.app.metrics.registry.metrics().then(
      (body) => {
        response.writeHead(200, { 'content-type': service.app.metrics.registry.contentType });
        response.end(body);
      },
      () => {
        response.writeHead(500);
        response.end();
      },
    );
    return;
  }
  const ok = request.url === '/healthz' || (request.url === '/readyz' && synced);
  response.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
  response.end(ok ? 'ok\n' : 'not ready\n');
});
metrics.listen(settings.metricsPort);
await service.app.listen({ host: '0.0.0.0', port: settings.port });
log('INFO', 'console started', { port: settings.port, metricsPort: settings.metricsPort });

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log('INFO', 'stopping', { signal });
  clearInterval(syncTimer);
  metrics.close();
  service
    .stop()
    .then(() => sql.close())
    .then(
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
