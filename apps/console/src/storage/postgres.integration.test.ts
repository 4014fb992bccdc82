import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { startPostgres, type Postgres } from '@vigie/testpg';
import { countAlerts, storeAlert } from './alerts.js';
import { MIGRATIONS, migrate, select, type Sql } from './db.js';
import { createPgliteSql } from './pglite.js';
import { createPostgresSql, type SqlStore } from './postgres.js';

function alert(id: string) {
  return {
    id,
    client: 'acme',
    camera: 'aisle',
    rule: 'concealment',
    detectedAt: '2026-11-26T10:00:00.000Z',
    body: { id, client: 'acme', explanation: 'The right hand went to the body.' },
  };
}

/** Resolves with the first value `next` gives, or rejects after `ms`. */
function within<T>(ms: number, what: string, wait: Promise<T>): Promise<T> {
  return Promise.race([
    wait,
    sleep(ms, undefined, { ref: false }).then(() => {
      throw new Error(`${what}: nothing within ${String(ms)} ms`);
    }),
  ]);
}

/**
 * What both stores must do alike. `other` is a second connection to the same database (on
 * PGlite, which has one, the store itself).
 */
function behavesAsTheConsoleStore(
  name: string,
  open: () => Promise<{ sql: SqlStore; other: Sql; close: () => Promise<void> }>,
) {
  describe(`the console's store on ${name}`, () => {
    let sql: SqlStore;
    let other: Sql;
    let close: () => Promise<void>;

    before(async () => {
      ({ sql, other, close } = await open());
    });
    after(async () => {
      await close();
    });

    it('applies each migration once', async () => {
      assert.deepEqual(
        await migrate(sql),
        MIGRATIONS.map((m) => m.version),
      );
      assert.deepEqual(await migrate(sql), []);
    });

    it('stores an alert once under 50 concurrent deliveries of the same ID', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => storeAlert(sql, alert('dup-1'))),
      );
      assert.equal(results.filter((stored) => stored).length, 1);
      const rows = await select<{ n: number }>(
        sql,
        "SELECT count(*)::int AS n FROM alerts WHERE id = 'dup-1'",
      );
      assert.equal(rows[0]?.n, 1);
      assert.equal(await countAlerts(sql, 'acme'), 1);
    });

    it('gives the same JavaScript values for timestamps, JSON and 64-bit integers', async () => {
      const rows = await select<Record<string, unknown>>(
        sql,
        `SELECT '2026-11-26T10:00:00.300Z'::timestamptz AS at, '{"a": [1, "b"]}'::jsonb AS doc,
                '{"n": null}'::json AS plain, 9007199254740993::int8 AS big, count(*) AS n
         FROM alerts WHERE id = 'dup-1'`,
      );
      assert.deepEqual(rows, [
        {
          at: new Date('2026-11-26T10:00:00.300Z'),
          doc: { a: [1, 'b'] },
          plain: { n: null },
          big: '9007199254740993',
          n: '1',
        },
      ]);
    });

    it('rolls back a transaction that throws, and commits one that returns', async () => {
      await assert.rejects(
        sql.transaction(async (tx) => {
          await tx.query("INSERT INTO ingest_tokens (client, token_sha256) VALUES ('gone', 'g')");
          throw new Error('the caller changed its mind');
        }),
        /changed its mind/,
      );
      const kept = await sql.transaction(async (tx) => {
        await tx.query("INSERT INTO ingest_tokens (client, token_sha256) VALUES ('kept', 'k')");
        return 'done';
      });
      assert.equal(kept, 'done');
      const rows = await select<{ client: string }>(
        sql,
        'SELECT client FROM ingest_tokens ORDER BY client',
      );
      assert.deepEqual(rows, [{ client: 'kept' }]);
    });

    it('refuses to commit a transaction in which a statement failed', async () => {
      await assert.rejects(
        sql.transaction(async (tx) => {
          await tx.query("INSERT INTO ingest_tokens (client, token_sha256) VALUES ('late', 'l')");
          await tx.query('SELECT no_such_column FROM alerts').catch(() => undefined);
        }),
      );
      const rows = await select(sql, "SELECT 1 FROM ingest_tokens WHERE client = 'late'");
      assert.deepEqual(rows, []);
    });

    it('nests a transaction as a savepoint: the inner one rolls back alone', async () => {
      await sql.transaction(async (tx) => {
        await tx.query("INSERT INTO ingest_tokens (client, token_sha256) VALUES ('outer', 'o')");
        await assert.rejects(
          tx.transaction(async (inner) => {
            await inner.query(
              "INSERT INTO ingest_tokens (client, token_sha256) VALUES ('inner', 'i')",
            );
            throw new Error('inner fails');
          }),
          /inner fails/,
        );
      });
      const rows = await select<{ client: string }>(
        sql,
        "SELECT client FROM ingest_tokens WHERE client IN ('outer', 'inner')",
      );
      assert.deepEqual(rows, [{ client: 'outer' }]);
    });

    it('hands NOTIFY payloads to listeners until they stop listening', async () => {
      const received: string[] = [];
      let arrived: (payload: string) => void = () => undefined;
      const onMessage = (channel: string) => (payload: string) => {
        received.push(`${channel}: ${payload}`);
        arrived(payload);
      };
      const unlisten = await sql.listen('vigie_test', onMessage('vigie_test'));
      const first = new Promise<string>((resolve) => (arrived = resolve));
      await other.query("SELECT pg_notify('vigie_test', 'alert-1')");
      assert.equal(await within(5_000, 'the first notification', first), 'alert-1');

      await unlisten();
      await sql.listen('vigie_later', onMessage('vigie_later'));
      const later = new Promise<string>((resolve) => (arrived = resolve));
      // Notifications arrive in the order they were sent: once the second is in, the first
      // would have been, had the listener still been on.
      await other.query("SELECT pg_notify('vigie_test', 'alert-2'), pg_notify('vigie_later', 'x')");
      assert.equal(await within(5_000, 'the later notification', later), 'x');
      assert.deepEqual(received, ['vigie_test: alert-1', 'vigie_later: x']);
    });

    it('refuses a channel name that would need quoting', async () => {
      await assert.rejects(
        sql.listen('Vigie alerts; DROP TABLE alerts', () => undefined),
        /lower-case SQL name/,
      );
    });
  });
}

let server: Postgres | undefined;

behavesAsTheConsoleStore('PostgreSQL', async () => {
  server = await startPostgres();
  const sql = createPostgresSql({ connectionString: server.url, max: 20 });
  const other = createPostgresSql({ connectionString: server.url, max: 1 });
  return {
    sql,
    other,
    close: async () => {
      await other.close();
      await sql.close();
      await server?.stop();
    },
  };
});

behavesAsTheConsoleStore('PGlite', () => {
  const sql = createPgliteSql(new PGlite());
  return Promise.resolve({ sql, other: sql, close: () => sql.close() });
});

describe('listening on PostgreSQL when the connection drops', () => {
  it('listens again once the connection is back', async () => {
    const pg = await startPostgres();
    const sql = createPostgresSql({ connectionString: pg.url, max: 2 });
    try {
      let arrived: (payload: string) => void = () => undefined;
      const payload = new Promise<string>((resolve) => (arrived = resolve));
      await sql.listen('vigie_alerts', (p) => {
        arrived(p);
      });
      // What a failover or an idle timeout does to the listening connection.
      const killed = await select<{ ok: boolean }>(
        sql,
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE query = 'LISTEN vigie_alerts'`,
      );
      assert.deepEqual(killed, [{ ok: true }]);
      const seen = { done: false };
      void payload.then(() => (seen.done = true));
      const deadline = Date.now() + 10_000;
      while (!seen.done && Date.now() < deadline) {
        await sql.query("SELECT pg_notify('vigie_alerts', 'after-reconnect')");
        await sleep(100);
      }
      assert.equal(
        await within(1_000, 'a notification after reconnecting', payload),
        'after-reconnect',
      );
    } finally {
      await sql.close();
      await pg.stop();
    }
  });
});
