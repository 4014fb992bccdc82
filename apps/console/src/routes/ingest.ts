/**
 * Detectors post alerts and clips here, with their tenant's ingest token; each is stored once,
 * whatever the number of deliveries.
 *
 * The detector's alert ID is an idempotency key within its own client: the console issues the
 * public ID, so no tenant learns anything from another's IDs, or can take them. A post whose
 * key the client has stored already answers 409 `VIGIE_E_ALREADY_STORED` with the public ID
 * and writes nothing. Otherwise the evidence bytes go to the evidence store first (their key
 * holds their digest), recorded as an open upload, then the rows, in one statement that also
 * closes the upload: a crash at any point loses nothing, since the detector's retry finds no
 * row and does it all again, and what a failed post left behind is swept (`uploads.ts`).
 */

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ForbiddenError, InputError, NotFoundError } from '../errors.js';
import { addRoute } from '../http/route.js';
import { parseStorableTime } from '../http/storable.js';
import { parseAlertPost } from '../ingest.js';
import {
  type EvidenceRow,
  alertIdOfKey,
  evidenceOf,
  newAlertId,
  storeAlert,
  storeEvidence,
} from '../storage/alerts.js';
import { evidenceKey } from '../storage/evidence.js';
import { beginUpload } from '../storage/uploads.js';
import type { RouteContext } from './context.js';
import { parseClipBody, parseClipParams } from './schemas.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

const alreadyStored = (reply: FastifyReply, id: string, key: string) =>
  reply.status(409).send({
    code: 'VIGIE_E_ALREADY_STORED',
    message: `alert ${key} is stored already, as ${id}`,
    id,
    key,
  });

/**
 * Writes evidence bytes to the store under a key holding their digest, recorded first as an
 * open upload so that a post failing after this leaves nothing unswept; the row to store.
 */
async function uploadEvidence(
  context: RouteContext,
  upload: {
    tenant: string;
    key: string;
    kind: 'snapshot' | 'clip';
    data: Uint8Array;
    contentType: string;
  },
): Promise<Omit<EvidenceRow, 'alertId'>> {
  const { tenant, key, kind, data, contentType } = upload;
  const digest = sha256(data);
  const objectKey = evidenceKey(tenant, key, kind, digest);
  await beginUpload(context.sql, objectKey, tenant);
  await context.evidence.put(objectKey, data, contentType);
  return { kind, contentType, objectKey, size: data.byteLength, sha256: digest };
}

/** The ingest router. */
export function ingestRoutes(app: FastifyInstance, context: RouteContext): void {
  const { sql, metrics } = context;

  addRoute(app, {
    method: 'POST',
    url: '/api/v1/ingest/alerts',
    caller: 'detector',
    bodyLimit: 'ingest',
    body: parseAlertPost,
    handle: async ({ caller: tenant, body: post, request }, reply) => {
      const { alert } = post;
      if (alert.client !== tenant) {
        metrics.ingested.inc({ kind: 'alert', result: 'refused' });
        throw new ForbiddenError(`this token belongs to client ${tenant}, not ${alert.client}`);
      }
      const key = alert.key ?? '';
      // The envelope reads any time JavaScript can; the database holds fewer.
      parseStorableTime(alert.detectedAt, 'alert.detectedAt');
      const idempotencyKey = request.headers['idempotency-key'];
      if (idempotencyKey !== undefined && idempotencyKey !== key) {
        throw new InputError('VIGIE_E_INGEST_INVALID', 'Idempotency-Key must be the alert ID');
      }
      // A repeated delivery writes nothing at all: the evidence it carries is never kept.
      const known = await alertIdOfKey(sql, tenant, key);
      if (known !== undefined) {
        metrics.ingested.inc({ kind: 'alert', result: 'duplicate' });
        return alreadyStored(reply, known, key);
      }
      const snapshot =
        post.snapshot &&
        (await uploadEvidence(context, { tenant, key, kind: 'snapshot', ...post.snapshot }));
      const incoming = { ...alert, id: newAlertId() };
      const hook = context.onAlertStored;
      const stored = await storeAlert(sql, incoming, {
        ...(snapshot ? { snapshot: { ...snapshot, alertId: incoming.id } } : {}),
        ...(hook ? { alsoInTransaction: (tx) => hook(incoming, tx) } : {}),
      });
      if (!stored) {
        // A concurrent delivery of the same key won the race.
        metrics.ingested.inc({ kind: 'alert', result: 'duplicate' });
        return alreadyStored(reply, (await alertIdOfKey(sql, tenant, key)) ?? '', key);
      }
      metrics.ingested.inc({ kind: 'alert', result: 'stored' });
      context.hub.announce(incoming.id);
      return reply.status(201).send({ id: incoming.id, key });
    },
  });
  addClipRoute(app, context);
}

/** Clips are bytes, sent as they are: never base64, never parsed as JSON. */
function addClipRoute(app: FastifyInstance, context: RouteContext): void {
  const { sql, metrics } = context;
  app.register((scope, _options, done) => {
    scope.addContentTypeParser('video/mp4', { parseAs: 'buffer' }, (_request, body, next) => {
      next(null, body);
    });
    addRoute(scope, {
      method: 'PUT',
      url: '/api/v1/ingest/alerts/:key/clip',
      caller: 'detector',
      bodyLimit: 'clip',
      params: parseClipParams,
      body: parseClipBody,
      handle: async ({ caller: tenant, params: { key }, body: data }, reply) => {
        // Another tenant's alert answers as one that does not exist: keys are per client.
        const alertId = await alertIdOfKey(sql, tenant, key);
        if (alertId === undefined) throw new NotFoundError(`no alert ${key}`);
        if ((await evidenceOf(sql, alertId, 'clip')) !== undefined) {
          metrics.ingested.inc({ kind: 'clip', result: 'duplicate' });
          return alreadyStored(reply, alertId, key);
        }
        const clip = { tenant, key, kind: 'clip' as const, data, contentType: 'video/mp4' };
        const stored = await storeEvidence(sql, {
          alertId,
          ...(await uploadEvidence(context, clip)),
        });
        metrics.ingested.inc({ kind: 'clip', result: stored ? 'stored' : 'duplicate' });
        return stored
          ? reply.status(201).send({ id: alertId, key })
          : alreadyStored(reply, alertId, key);
      },
    });
    done();
  });
}
