/** The audit log: who reviewed which alert and who looked at which evidence, kept in SQL. */

import type { Sql } from './db.js';
import { select } from './db.js';

/** One audited action. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  /** `alert.review` or `evidence.view`. */
  readonly action: string;
  readonly client: string;
  readonly alertId?: string;
  readonly detail: Record<string, unknown>;
}

/** Records an action. */
export async function audit(
  sql: Sql,
  entry: { actor: string; action: string; client: string; alertId?: string; detail?: object },
): Promise<void> {
  await sql.query(
    'INSERT INTO audit_log (actor, action, client, alert_id, detail) VALUES ($1, $2, $3, $4, $5)',
    [
      entry.actor,
      entry.action,
      entry.client,
      entry.alertId ?? null,
      JSON.stringify(entry.detail ?? {}),
    ],
  );
}

/** The newest entries the caller may see, newest first; `before` pages back by ID. */
export async function readAudit(
  sql: Sql,
  options: { clients: readonly string[] | undefined; limit: number; before?: string },
): Promise<AuditEntry[]> {
  if (options.clients?.length === 0) return [];
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.clients !== undefined) {
    params.push([...options.clients]);
    where.push(`client = ANY($${String(params.length)}::text[])`);
  }
  if (options.before !== undefined) {
    params.push(options.before);
    where.push(`id < $${String(params.length)}::bigint`);
  }
  params.push(options.limit);
  const rows = await select<{
    id: string | number;
    at: Date;
    actor: string;
    action: string;
    client: string;
    alert_id: string | null;
    detail: Record<string, unknown>;
  }>(
    sql,
    `SELECT id, at, actor, action, client, alert_id, detail FROM audit_log
     ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
     ORDER BY id DESC LIMIT $${String(params.length)}`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    client: r.client,
    ...(r.alert_id === null ? {} : { alertId: r.alert_id }),
    detail: r.detail,
  }));
}

/** Every review of an alert, oldest first: who decided what, and when. */
export async function reviewHistory(
  sql: Sql,
  alertId: string,
): Promise<{ verdict: string; note?: string; by: string; at: string }[]> {
  const rows = await select<{
    at: Date;
    actor: string;
    detail: { verdict?: string; note?: string };
  }>(
    sql,
    `SELECT at, actor, detail FROM audit_log
     WHERE alert_id = $1 AND action = 'alert.review' ORDER BY id`,
    [alertId],
  );
  return rows.map((r) => ({
    verdict: r.detail.verdict ?? 'unknown',
    ...(r.detail.note === undefined ? {} : { note: r.detail.note }),
    by: r.actor,
    at: new Date(r.at).toISOString(),
  }));
}
