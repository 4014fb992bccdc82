/**
 * The console's SQL, one dialect for both stores: PostgreSQL in production and PGlite
 * (PostgreSQL compiled to WebAssembly) for the embedded default. Migrations are versioned and
 * applied in order, once.
 */

import { NOTIFICATIONS_MIGRATION } from './notification-schema.js';

/** The least the console needs from a PostgreSQL connection. */
export interface Sql {
  query(text: string, params?: readonly unknown[]): Promise<{ rows: unknown[] }>;
  /**
   * Runs `fn` in one transaction on one connection. A pool must provide it: `BEGIN` sent
   * through `query` could land on another connection than the statements after it.
   */
  transaction?<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Subscribes to `NOTIFY` on a channel; resolves to the unsubscribe function. */
  listen?(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
}

/** Runs `fn` in a transaction, on the store's own transaction support when it has one. */
export async function inTransaction<T>(sql: Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  if (sql.transaction) return sql.transaction(fn);
  await sql.query('BEGIN');
  try {
    const result = await fn(sql);
    await sql.query('COMMIT');
    return result;
  } catch (error) {
    await sql.query('ROLLBACK');
    throw error;
  }
}

/** The rows of a query, typed by the caller, who knows the SELECT list. */
export async function select<R>(sql: Sql, text: string, params?: readonly unknown[]): Promise<R[]> {
  return (await sql.query(text, params)).rows as R[];
}

/** The schema, in order. A migration is never edited once released; a new one is added. */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE ingest_tokens (
        client text PRIMARY KEY,
        token_sha256 text NOT NULL UNIQUE
      );
      CREATE TABLE alerts (
        id text PRIMARY KEY,
        client text NOT NULL,
        camera text NOT NULL,
        rule text NOT NULL,
        detected_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'new',
        body jsonb NOT NULL
      );
      CREATE INDEX alerts_by_client_time ON alerts (client, detected_at DESC);
      CREATE TABLE evidence (
        alert_id text NOT NULL,
        kind text NOT NULL,
        content_type text NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (alert_id, kind)
      );
    `,
  },
  {
    // People: review, tokens, identity mapping and the audit log; evidence moves to the
    // bucket (the row keeps its key and digest); indexes for keyset pages on every filter.
    version: 2,
    sql: `
      ALTER TABLE alerts ADD COLUMN review_note text;
      ALTER TABLE alerts ADD COLUMN reviewed_by text;
      ALTER TABLE alerts ADD COLUMN reviewed_at timestamptz;
      DROP INDEX alerts_by_client_time;
      CREATE INDEX alerts_by_time ON alerts (detected_at DESC, id DESC);
      CREATE INDEX alerts_by_client ON alerts (client, detected_at DESC, id DESC);
      CREATE INDEX alerts_by_camera ON alerts (client, camera, detected_at DESC, id DESC);
      CREATE INDEX alerts_by_rule ON alerts (client, rule, detected_at DESC, id DESC);
      CREATE INDEX alerts_by_status ON alerts (client, status, detected_at DESC, id DESC);
      CREATE INDEX alerts_by_status_all ON alerts (status, detected_at DESC, id DESC);
      ALTER TABLE evidence ALTER COLUMN data DROP NOT NULL;
      ALTER TABLE evidence ADD COLUMN object_key text;
      ALTER TABLE evidence ADD COLUMN size integer;
      ALTER TABLE evidence ADD COLUMN sha256 text;
      CREATE TABLE api_tokens (
        token_sha256 text PRIMARY KEY,
        subject text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'viewer')),
        clients text[],
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE users (
        email text PRIMARY KEY,
        role text NOT NULL CHECK (role IN ('admin', 'viewer')),
        clients text[]
      );
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        client text NOT NULL,
        alert_id text,
        detail jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX audit_by_client ON audit_log (client, id DESC);
    `,
  },
  // Notifications: one durable row per alert and target (see notification-schema.ts).
  { version: 3, sql: NOTIFICATIONS_MIGRATION },
  {
    // The console issues alert IDs: the detector's ID becomes an idempotency key within its
    // client, so that no tenant learns or takes another's IDs. Earlier alerts keep their ID
    // as both. Evidence uploads are recorded before their bytes are written, so that what a
    // failed post leaves behind is found and swept.
    version: 4,
    sql: `
      ALTER TABLE alerts ADD COLUMN ingest_key text;
      UPDATE alerts SET ingest_key = id;
      ALTER TABLE alerts ALTER COLUMN ingest_key SET NOT NULL;
      CREATE UNIQUE INDEX alerts_by_ingest_key ON alerts (client, ingest_key);
      CREATE INDEX evidence_by_object ON evidence (object_key);
      CREATE TABLE evidence_uploads (
        object_key text PRIMARY KEY,
        client text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX evidence_uploads_by_time ON evidence_uploads (started_at);
    `,
  },
];

/** Applies the migrations not applied yet; safe to run at every start, from several replicas. */
export async function migrate(sql: Sql): Promise<number[]> {
  await sql.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    const ran = await inTransaction(sql, async (tx) => {
      // Two replicas starting together: the second waits here, then sees the version done.
      await tx.query('SELECT pg_advisory_xact_lock(7170)');
      const done = await select<{ version: number }>(
        tx,
        'SELECT version FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      if (done.length > 0) return false;
      for (const statement of migration.sql
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s !== '')) {
        await tx.query(statement);
      }
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
