/**
 * The operator's entry point: reads its settings from the environment, starts, and stops on
 * SIGTERM or SIGINT. Exits 1 when it loses leadership, so that it restarts as a clean standby.
 */

import { hostname } from 'node:os';
import { readSettings } from './env.js';
import { loadConnection } from './kube/connection.js';
import { startOperator } from './operator.js';
import { createJsonLogger, errorMessage } from '@vigie/log';

const env = readSettings(process.env);
if ('error' in env) {
  process.stderr.write(`vigie-operator: ${env.error}\n`);
  process.exit(2);
}
const log = createJsonLogger((line) => process.stdout.write(line), env.logLevel);
// KUBECONFIG when set, else ~/.kube/config, else the in-cluster ServiceAccount.
let connection;
try {
  connection = loadConnection(process.env);
} catch (error) {
  process.stderr.write(`vigie-operator: ${errorMessage(error)}\n`);
  process.exit(2);
}

const operator = await startOperator({
  connection,
  settings: env.settings,
  identity: env.identity ?? hostname(),
  workers: env.workers,
  leaderElection: env.leaderElection,
  resyncMs: env.resyncMs,
  metricsAddress: env.metricsAddress,
  probeAddress: env.probeAddress,
  log,
});
log('INFO', 'operator started', {
  metricsPort: operator.ports.metrics,
  probePort: operator.ports.probes,
  leaderElection: env.leaderElection !== false,
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log('INFO', 'shutting down', { signal });
    void operator.stop();
  });
}
const reason = await operator.done;
process.exit(reason === 'stopped' ? 0 : 1);
