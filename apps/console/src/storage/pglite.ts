/**
 * The `Sql` port on PGlite (PostgreSQL in WebAssembly, in this process), the twin of
 * `postgres.ts`: the same methods and the same JavaScript values for the same SQL types
 * (`timestamptz` a `Date`, `json`/`jsonb` parsed, `int8` a decimal string, `bytea` a
 * `Uint8Array`).
 */

import type { PGlite } from '@electric-sql/pglite';
import type { SqlStore } from './postgres.js';
import { transactionScope, verifyChannel } from './postgres.js';

/** `int8` as PostgreSQL's driver gives it: a string, exact at any size. */
const PARSERS = { 20: (value: string) => value };

/**
 * Wraps a PGlite database. PGlite runs one statement at a time: inside `transaction`, use only
 * its `tx` (a query on the store itself would wait for the transaction to end, which waits for
 * it). `close()` closes the database.
 */
export function createPgliteSql(db: PGlite): SqlStore {
  return {
    async query(text, params) {
      const result = await db.query(text, params === undefined ? undefined : [...params], {
        parsers: PARSERS,
      });
      return { rows: result.rows };
    },

    transaction(fn) {
      return db.transaction(async (pgliteTx) => {
        const { tx, end } = transactionScope(async (text, params) => {
          const result = await pgliteTx.query(
            text,
            params === undefined ? undefined : [...params],
            { parsers: PARSERS },
          );
          return { rows: result.rows };
        });
        try {
          return await fn(tx);
        } finally {
          end();
        }
      });
    },

    async listen(channel, onMessage) {
      verifyChannel(channel);
      const unlisten = await db.listen(channel, onMessage);
      return () => unlisten();
    },

    close: () => db.close(),
  };
}
