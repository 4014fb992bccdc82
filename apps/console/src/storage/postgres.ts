/**
 * The `Sql` port on PostgreSQL, through a `pg` pool: queries, transactions on one connection,
 * `LISTEN` for live arrival, and closing. Its twin on PGlite is `pglite.ts`; both return the
 * same JavaScript values for the same SQL types:
 *
 * - `timestamptz`: a `Date`;
 * - `json` and `jsonb`: the parsed value;
 * - `int8` (`bigint`, `count(*)`): a decimal string, exact at any size (cast to `int` in SQL
 *   where a number is wanted); `numeric`: a string;
 * - `bytea`: a `Uint8Array` (a `Buffer`, its subclass, on PostgreSQL).
 */

import { toError } from '@vigie/log';
import pg from 'pg';
import type { Sql } from './db.js';

/** The handle of an open transaction: its queries, and transactions nested as savepoints. */
export interface SqlTransaction extends Sql {
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
}

/** A store the console runs on: the `Sql` port with transactions, notifications and an end. */
export interface SqlStore extends Sql {
  /**
   * Runs `fn` on one connection between `BEGIN` and `COMMIT`, and rolls back when it throws.
   * Inside, use only `tx`: `tx.transaction` nests with a savepoint. A `COMMIT` that the server
   * turns into a rollback (a statement failed and `fn` caught the error) rejects.
   */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /**
   * Calls `onMessage` with the payload of each `NOTIFY` on `channel` (a lower-case SQL name)
   * from any connection; resolves once listening, to the function that stops it. Notifications
   * are hints: one sent while the listening connection is being re-established is lost.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Options for {@link createPostgresSql}. */
export interface PostgresSqlOptions {
  /** A `postgres://` URL with credentials. */
  readonly connectionString: string;
  /** The pool's largest number of connections (default 10), `LISTEN`'s own one apart. */
  readonly max?: number;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** Refuses a channel name that would need quoting, so that both stores read it the same. */
export function verifyChannel(channel: string): void {
  if (!CHANNEL.test(channel)) {
    throw new Error(`channel ${JSON.stringify(channel)} must be a lower-case SQL name`);
  }
}

/** The transaction handle: `query`, and `transaction` nesting with savepoints. */
export function transactionScope(
  query: (text: string, params?: readonly unknown[]) => Promise<{ rows: unknown[] }>,
): { tx: SqlTransaction; end: () => void } {
  let open = true;
  let savepoints = 0;
  const tx: SqlTransaction = {
    query: (text, params) => {
      if (!open) return Promise.reject(new Error('the transaction has ended'));
      return query(text, params);
    },
    transaction: async (fn) => {
      const name = `vigie_savepoint_${String(++savepoints)}`;
      await tx.query(`SAVEPOINT ${name}`);
      try {
        const result = await fn(tx);
        await tx.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        await tx.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
        throw error;
      }
    },
  };
  return {
    tx,
    end: () => {
      open = false;
    },
  };
}

/** Opens a pool on PostgreSQL; connections are made on demand. */
export function createPostgresSql(options: PostgresSqlOptions): SqlStore {
  const types = new pg.TypeOverrides();
  // Pinned, so that a global `pg.types.setTypeParser` elsewhere cannot change what callers get.
  types.setTypeParser(pg.types.builtins.INT8, 'text', (value: string) => value);
  types.setTypeParser(pg.types.builtins.JSON, 'text', (value: string): unknown =>
    JSON.parse(value),
  );
  types.setTypeParser(pg.types.builtins.JSONB, 'text', (value: string): unknown =>
    JSON.parse(value),
  );
  const config = { connectionString: options.connectionString, types };
  const pool = new pg.Pool({ ...config, max: options.max ?? 10 });
  // A connection that dies while idle is dropped by the pool; the next query opens another.
  pool.on('error', () => undefined);
  const listener = createListener(() => new pg.Client(config));

  return {
    async query(text, params) {
      const result = await pool.query(text, params === undefined ? undefined : [...params]);
      return { rows: result.rows as unknown[] };
    },

    async transaction(fn) {
      const client = await pool.connect();
      const { tx, end } = transactionScope(async (text, params) => {
        const result = await client.query(text, params === undefined ? undefined : [...params]);
        return { rows: result.rows as unknown[] };
      });
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(tx);
        end();
        const commit = await client.query('COMMIT');
        if (commit.command === 'ROLLBACK') {
          throw new Error('the transaction was rolled back: a statement in it failed');
        }
        return result;
      } catch (error) {
        end();
        await client.query('ROLLBACK').catch((rollback: unknown) => {
          broken = toError(rollback);
        });
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: it is closed, not reused.
        client.release(broken);
      }
    },

    listen: (channel, onMessage) => listener.listen(channel, onMessage),

    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * One connection for every `LISTEN`, re-established with backoff when it drops, listening
 * again to every channel that still has handlers.
 */
function createListener(connect: () => pg.Client) {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const listening = new Map<string, Promise<void>>();
  let connecting: Promise<pg.Client> | undefined;
  let active: pg.Client | undefined;
  let closed = false;
  let retryMs = 250;
  let retry: NodeJS.Timeout | undefined;

  const connection = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const client = connect();
      client.on('notification', (message) => {
        for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      client.on('error', () => {
        lost(client);
      });
      client.on('end', () => {
        lost(client);
      });
      try {
        await client.connect();
      } catch (error) {
        connecting = undefined;
        throw error;
      }
      active = client;
      return client;
    })();
    return connecting;
  };

  const listenOn = (channel: string): Promise<void> => {
    let started = listening.get(channel);
    if (started === undefined) {
      started = connection().then(async (client) => {
        await client.query(`LISTEN ${channel}`);
      });
      listening.set(channel, started);
      started.catch(() => listening.delete(channel));
    }
    return started;
  };

  const lost = (client: pg.Client) => {
    if (client !== active) return;
    active = undefined;
    connecting = undefined;
    listening.clear();
    void client.end().catch(() => undefined);
    scheduleRetry();
  };

  const scheduleRetry = () => {
    if (closed || handlers.size === 0 || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      Promise.all([...handlers.keys()].map(listenOn)).then(
        () => {
          retryMs = 250;
        },
        () => {
          retryMs = Math.min(retryMs * 2, 30_000);
          scheduleRetry();
        },
      );
    }, retryMs);
    retry.unref();
  };

  return {
    async listen(channel: string, onMessage: (payload: string) => void) {
      verifyChannel(channel);
      if (closed) throw new Error('the store is closed');
      const set = handlers.get(channel) ?? new Set();
      handlers.set(channel, set);
      // Each subscription is its own entry, even when the same function listens twice.
      const handler = (payload: string) => {
        onMessage(payload);
      };
      set.add(handler);
      try {
        await listenOn(channel);
      } catch (error) {
        set.delete(handler);
        if (set.size === 0) handlers.delete(channel);
        throw error;
      }
      return async () => {
        set.delete(handler);
        if (set.size > 0 || handlers.get(channel) !== set) return;
        handlers.delete(channel);
        const started = listening.get(channel);
        listening.delete(channel);
        const client = active;
        if (started === undefined || client === undefined) return;
        await started.catch(() => undefined);
        await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
      };
    },

    async close() {
      closed = true;
      clearTimeout(retry);
      handlers.clear();
      listening.clear();
      const pending = connecting;
      connecting = undefined;
      active = undefined;
      const client = await pending?.catch(() => undefined);
      await client?.end().catch(() => undefined);
    },
  };
}
