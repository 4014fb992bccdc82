/** People's alert routes: list, read, review, and evidence (every view audited). */

import type { FastifyInstance } from 'fastify';
import { canSee, visibleClients } from '../principal.js';
import { InputError, NotFoundError } from '../errors.js';
import { alertClient, evidenceOf, getAlert, listAlerts, reviewAlert } from '../storage/alerts.js';
import { audit, reviewHistory } from '../storage/audit.js';
import { principalOf } from '../http/callers.js';
import { BODY_LIMITS } from '../http/limits.js';
import { parseStorableTime } from '../http/storable.js';
import type { RouteContext } from './context.js';
import { alertIdParam, queryReader } from './context.js';

const STATUSES = ['new', 'confirmed', 'dismissed'] as const;
const VERDICTS = ['confirmed', 'dismissed'] as const;
const KINDS = ['snapshot', 'clip'] as const;
/** The one content type each kind of evidence is served as. */
const EVIDENCE_TYPES = {
  snapshot: { type: 'image/jpeg', extension: 'jpg' },
  clip: { type: 'video/mp4', extension: 'mp4' },
} as const;

/** A page cursor: the last alert's time and ID, opaque to callers. */
function encodeCursor(next: { detectedAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([next.detectedAt, next.id])).toString('base64url');
}

function decodeCursor(cursor: string): { detectedAt: string; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // Reported below.
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    /^[A-Za-z0-9_-]{1,128}$/.test(value[1])
  ) {
    const detectedAt = parseStorableTime(value[0], 'cursor');
    if (detectedAt !== undefined) return { detectedAt, id: value[1] };
  }
  throw new InputError('VIGIE_E_QUERY_INVALID', 'cursor must be a nextCursor from a previous page');
}

/** The alert router. */
export function alertRoutes(app: FastifyInstance, context: RouteContext): void {
  const { sql } = context;

  app.get('/api/v1/alerts', async (request) => {
    const principal = principalOf(request);
    const q = queryReader(request.query);
    const cursor = q.raw('cursor');
    const page = await listAlerts(sql, {
      clients: visibleClients(principal, q.client()),
      limit: q.integer('limit', 1, 200, 50),
      ...optional('camera', q.text('camera')),
      ...optional('rule', q.text('rule')),
      ...optional('status', q.oneOf('status', STATUSES)),
      ...optional('from', q.time('from')),
      ...optional('to', q.time('to')),
      ...(cursor === undefined ? {} : { after: decodeCursor(cursor) }),
    });
    return {
      alerts: page.alerts,
      ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
    };
  });

  app.get('/api/v1/alerts/:id', async (request) => {
    const principal = principalOf(request);
    const id = alertIdParam(request.params);
    const alert = await getAlert(sql, id, visibleClients(principal));
    if (alert === undefined) throw new NotFoundError(`no alert ${id}`);
    return { ...alert, history: await reviewHistory(sql, id) };
  });

  app.post('/api/v1/alerts/:id/review', { bodyLimit: BODY_LIMITS.review }, async (request) => {
    const principal = principalOf(request);
    const id = alertIdParam(request.params);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new InputError('VIGIE_E_BAD_REQUEST', 'the body must be {"verdict": …, "note": …}');
    }
    const { verdict, note } = body as Record<string, unknown>;
    if (typeof verdict !== 'string' || !(VERDICTS as readonly string[]).includes(verdict)) {
      throw new InputError('VIGIE_E_BAD_REQUEST', 'verdict must be "confirmed" or "dismissed"');
    }
    if (note !== undefined && (typeof note !== 'string' || note.length > 2000)) {
      throw new InputError('VIGIE_E_BAD_REQUEST', 'note must be text of up to 2,000 characters');
    }
    const reviewed = await reviewAlert(sql, {
      id,
      clients: visibleClients(principal),
      verdict: verdict as (typeof VERDICTS)[number],
      ...(typeof note === 'string' && note.trim() !== '' ? { note: note.trim() } : {}),
      by: principal.subject,
    });
    if (reviewed === undefined) throw new NotFoundError(`no alert ${id}`);
    context.metrics.reviews.inc({ verdict });
    return reviewed;
  });

  app.get('/api/v1/alerts/:id/evidence/:kind', async (request, reply) => {
    const principal = principalOf(request);
    const id = alertIdParam(request.params);
    const kind = (request.params as { kind?: string }).kind;
    const client = await alertClient(sql, id);
    if (client === undefined || !canSee(principal, client)) {
      throw new NotFoundError(`no alert ${id}`);
    }
    if (kind === undefined || !(KINDS as readonly string[]).includes(kind)) {
      throw new NotFoundError(`no evidence ${String(kind)}: snapshot or clip`);
    }
    const row = await evidenceOf(sql, id, kind);
    const data =
      row === undefined
        ? undefined
        : row.objectKey === null
          ? (row.data ?? undefined)
          : await context.evidence.get(row.objectKey);
    if (row === undefined || data === undefined) {
      throw new NotFoundError(`alert ${id} has no ${kind} yet`);
    }
    await audit(sql, {
      actor: principal.subject,
      action: 'evidence.view',
      client,
      alertId: id,
      detail: { kind },
    });
    // Served only as the type its kind allows, never sniffed, and never as a page of this
    // origin: the bytes are whatever a detector posted.
    const { type, extension } = EVIDENCE_TYPES[kind as (typeof KINDS)[number]];
    const safe = row.contentType === type;
    return reply
      .header('content-type', safe ? type : 'application/octet-stream')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .header(
        'content-disposition',
        `${safe ? 'inline' : 'attachment'}; filename="${id}-${kind}.${extension}"`,
      )
      .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
