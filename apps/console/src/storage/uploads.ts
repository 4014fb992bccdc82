/**
 * Evidence uploads in flight. A snapshot or clip is written to the evidence store before its
 * row, so that a crash can never leave a stored alert without its evidence; a retry writes the
 * same object again (its key holds its digest) and completes the alert. What a refused or
 * failed post leaves behind is found here: each upload is recorded before its bytes are
 * written, closed in the statement that stores its row, and swept once it is older than any
 * request can last. Only orphans are visited, never the whole store.
 */

import type { EvidenceStore } from '../ports.js';
import type { Sql } from './db.js';
import { inTransaction, select } from './db.js';

/** Records that an object is about to be written; called before its bytes are put. */
export async function beginUpload(sql: Sql, objectKey: string, client: string): Promise<void> {
  // A retry of the same bytes refreshes the record, so the sweep waits for it too. The sweep
  // holds the row's lock while it deletes the object, so this waits until that is done and
  // the object written afterwards is never swept from under a stored row.
  await sql.query(
    `INSERT INTO evidence_uploads (object_key, client) VALUES ($1, $2)
     ON CONFLICT (object_key) DO UPDATE SET started_at = now()`,
    [objectKey, client],
  );
}

/** What one sweep did. */
export interface SweepResult {
  /** Objects deleted: no evidence row refers to them. */
  readonly deleted: number;
  /** Records closed whose object a stored row does refer to (a duplicate's same bytes). */
  readonly kept: number;
}

/**
 * Deletes the objects of uploads older than `graceSeconds` that no evidence row refers to,
 * and closes their records, up to `batch` at a time. Safe to run on every replica at once.
 */
export async function sweepUploads(
  sql: Sql,
  evidence: EvidenceStore,
  options: { readonly graceSeconds: number; readonly batch?: number },
): Promise<SweepResult> {
  let deleted = 0;
  let kept = 0;
  for (;;) {
    const done = await inTransaction(sql, async (tx) => {
      const rows = await select<{ object_key: string; referenced: boolean }>(
        tx,
        `SELECT u.object_key,
           EXISTS (SELECT 1 FROM evidence e WHERE e.object_key = u.object_key) AS referenced
         FROM evidence_uploads u
         WHERE u.started_at < now() - make_interval(secs => $1)
         ORDER BY u.started_at LIMIT $2 FOR UPDATE OF u SKIP LOCKED`,
        [options.graceSeconds, options.batch ?? 100],
      );
      for (const row of rows) {
        if (row.referenced) kept++;
        else {
          await evidence.delete(row.object_key);
          deleted++;
        }
      }
      if (rows.length > 0) {
        await tx.query('DELETE FROM evidence_uploads WHERE object_key = ANY($1::text[])', [
          rows.map((r) => r.object_key),
        ]);
      }
      return rows.length < (options.batch ?? 100);
    });
    if (done) return { deleted, kept };
  }
}

/** How many uploads are open: in flight, or left by failed posts and not swept yet. */
export async function openUploads(sql: Sql, client?: string): Promise<number> {
  const rows = await select<{ n: number }>(
    sql,
    client === undefined
      ? 'SELECT count(*)::int AS n FROM evidence_uploads'
      : 'SELECT count(*)::int AS n FROM evidence_uploads WHERE client = $1',
    client === undefined ? [] : [client],
  );
  return rows[0]?.n ?? 0;
}

/** Options of {@link createEvidenceSweep}. */
export interface EvidenceSweepOptions {
  readonly sql: Sql;
  readonly evidence: EvidenceStore;
  /** How old an open upload must be to be swept: longer than any request lasts (1 h). */
  readonly graceSeconds?: number;
  /** Time between sweeps (10 min). */
  readonly everyMs?: number;
  readonly onSwept?: (result: SweepResult) => void;
  readonly onError?: (error: unknown) => void;
}

/** Sweeps left-behind uploads now and then, until stopped. */
export function createEvidenceSweep(options: EvidenceSweepOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const once = async () => {
    try {
      const result = await sweepUploads(options.sql, options.evidence, {
        graceSeconds: options.graceSeconds ?? 3600,
      });
      options.onSwept?.(result);
    } catch (error) {
      options.onError?.(error);
    }
  };
  return {
    start(): void {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        running ??= once().finally(() => {
          running = undefined;
        });
      }, options.everyMs ?? 600_000);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
