/**
 * The console's SQL, one dialect for both stores: PostgreSQL in production and PGlite
 * (PostgreSQL compiled to WebAssembly) for the embedded default. Migrations are versioned and
 * applied in order, once.
 */

/** The least the console needs from a PostgreSQL connection. */
export interface Sql {
  query(text: string, params?: readonly unknown[]): Promise<{ rows: unknown[] }>;
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
];

/** Applies the migrations not applied yet; safe to run at every start. */
export async function migrate(sql: Sql): Promise<number[]> {
  await sql.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const rows = await select<{ version: number }>(sql, 'SELECT version FROM schema_migrations');
  const done = new Set(rows.map((r) => r.version));
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    await sql.query('BEGIN');
    try {
      for (const statement of migration.sql
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s !== '')) {
        await sql.query(statement);
      }
      await sql.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
      await sql.query('COMMIT');
    } catch (error) {
      await sql.query('ROLLBACK');
      throw error;
    }
    applied.push(migration.version);
  }
  return applied;
}
