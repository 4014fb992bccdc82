/** People's alert routes: list, read, review, and evidence (every view audited). */

import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError } from '../errors.js';
import { addRoute } from '../http/route.js';
import { canSee, visibleClients } from '../principal.js';
import { alertClient, evidenceOf, getAlert, listAlerts, reviewAlert } from '../storage/alerts.js';
import { audit, reviewHistory } from '../storage/audit.js';
import type { RouteContext } from './context.js';
import {
  type EvidenceKind,
  encodeCursor,
  isEvidenceKind,
  parseAlertListQuery,
  parseAlertParams,
  parseEvidenceParams,
  parseReviewBody,
} from './schemas.js';

/** The one content type each kind of evidence is served as. */
const EVIDENCE_TYPES = {
  snapshot: { type: 'image/jpeg', extension: 'jpg' },
  clip: { type: 'video/mp4', extension: 'mp4' },
} as const;

/** An alert's evidence of a kind, from its row or the evidence store; 404 until it is there. */
async function evidenceBytes(context: RouteContext, id: string, kind: EvidenceKind) {
  const row = await evidenceOf(context.sql, id, kind);
  const data =
    row === undefined
      ? undefined
      : row.objectKey === null
        ? (row.data ?? undefined)
        : await context.evidence.get(row.objectKey);
  if (row === undefined || data === undefined) {
    throw new NotFoundError(`alert ${id} has no ${kind} yet`);
  }
  return { contentType: row.contentType, data };
}

/**
 * Serves evidence only as the type its kind allows, never sniffed, and never as a page of this
 * origin: the bytes are whatever a detector posted.
 */
function sendEvidence(
  reply: FastifyReply,
  evidence: { id: string; kind: EvidenceKind; contentType: string; data: Uint8Array },
) {
  const { id, kind, data } = evidence;
  const { type, extension } = EVIDENCE_TYPES[kind];
  const safe = evidence.contentType === type;
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
}

/** The alert router. */
export function alertRoutes(app: FastifyInstance, context: RouteContext): void {
  const { sql } = context;

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/alerts',
    caller: 'person',
    query: parseAlertListQuery,
    handle: async ({ caller, query }) => {
      const page = await listAlerts(sql, {
        ...query.filter,
        clients: visibleClients(caller, query.client),
      });
      return {
        alerts: page.alerts,
        ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
      };
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/alerts/:id',
    caller: 'person',
    params: parseAlertParams,
    handle: async ({ caller, params: { id } }) => {
      const alert = await getAlert(sql, id, visibleClients(caller));
      if (alert === undefined) throw new NotFoundError(`no alert ${id}`);
      return { ...alert, history: await reviewHistory(sql, id) };
    },
  });

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/alerts/:id/review',
    caller: 'person',
    bodyLimit: 'review',
    params: parseAlertParams,
    body: parseReviewBody,
    handle: async ({ caller, params: { id }, body }) => {
      const reviewed = await reviewAlert(sql, {
        id,
        clients: visibleClients(caller),
        ...body,
        by: caller.subject,
      });
      if (reviewed === undefined) throw new NotFoundError(`no alert ${id}`);
      context.metrics.reviews.inc({ verdict: body.verdict });
      return reviewed;
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/alerts/:id/evidence/:kind',
    caller: 'person',
    params: parseEvidenceParams,
    handle: async ({ caller, params: { id, kind } }, reply) => {
      const client = await alertClient(sql, id);
      if (client === undefined || !canSee(caller, client)) {
        throw new NotFoundError(`no alert ${id}`);
      }
      if (!isEvidenceKind(kind)) {
        throw new NotFoundError(`no evidence ${kind}: snapshot or clip`);
      }
      const { contentType, data } = await evidenceBytes(context, id, kind);
      await audit(sql, {
        actor: caller.subject,
        action: 'evidence.view',
        client,
        alertId: id,
        detail: { kind },
      });
      return sendEvidence(reply, { id, kind, contentType, data });
    },
  });
}
