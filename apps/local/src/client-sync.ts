/**
 * What follows each client change in `vigie up`: the clients' ingest tokens, then the detectors
 * converge on the plans. Changes are carried out one at a time, in order.
 */

import type { Sql } from '@vigie/console';
import { inTransaction, setIngestToken } from '@vigie/console';
import type { Logger } from '@vigie/log';
import type { LocalClients } from './clients.js';
import { ensureIngestToken } from './secrets.js';
import type { Supervisor } from './supervisor.js';

/** Options of {@link followClients}. */
export interface ClientSyncOptions {
  readonly clients: LocalClients;
  readonly sql: Sql;
  readonly supervisor: Supervisor;
  /** Where the clients' ingest tokens are kept, as files. */
  readonly secretsRoot: string;
  readonly log: Logger;
}

/** The running follower. */
export interface ClientSync {
  /** Resolves once the changes seen so far are carried out. */
  settled(): Promise<void>;
  /** Stops following, once the changes seen so far are carried out. */
  stop(): Promise<void>;
}

/** Converges once on the clients as they are now, then on each change. */
export async function followClients(options: ClientSyncOptions): Promise<ClientSync> {
  const { clients, log } = options;
  const converge = async () => {
    const tokens = new Map<string, string>();
    for (const resource of clients.list()) {
      const name = resource.metadata.name;
      tokens.set(name, await ensureIngestToken(options.secretsRoot, name));
    }
    await syncIngestTokens(options.sql, tokens);
    await options.supervisor.sync(clients.list());
  };
  let pending: Promise<void> = Promise.resolve();
  const unsubscribe = clients.onChange(() => {
    pending = pending.then(converge).catch((error: unknown) => {
      log('ERROR', 'could not start the client', { error: String(error) });
    });
  });
  const follower: ClientSync = {
    settled: () => pending,
    async stop() {
      unsubscribe();
      await pending;
    },
  };
  try {
    await converge();
  } catch (error) {
    await follower.stop();
    throw error;
  }
  return follower;
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
