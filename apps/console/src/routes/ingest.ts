/**
 * Detectors post alerts and clips here, with their tenant's ingest token; each is stored once,
 * whatever the number of deliveries. Evidence bytes go to the evidence store first (same key
 * each time), then the rows, in one transaction, so that a crash in between loses nothing: the
 * detector's retry finds no row and does it all again.
 */

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ForbiddenError, InputError, NotFoundError } from '../errors.js';
import { tenantOf } from '../http/callers.js';
import { BODY_LIMITS } from '../http/limits.js';
import { parseStorableTime } from '../http/storable.js';
import { parseEnvelope } from '../ingest.js';
import { alertClient, storeAlert, storeEvidence } from '../storage/alerts.js';
import { evidenceKey } from '../storage/evidence.js';
import type { RouteContext } from './context.js';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The ingest router. */
export function ingestRoutes(app: FastifyInstance, context: RouteContext): void {
  const { sql, evidence, metrics } = context;
  const options = { bodyLimit: BODY_LIMITS.ingest, config: { caller: 'detector' } } as const;

  app.post('/api/v1/ingest/alerts', options, async (request, reply) => {
    const tenant = tenantOf(request);
    const envelope = parseEnvelope(request.body);
    const key = request.headers['idempotency-key'];
    if (envelope.type === 'alert') {
      const { alert } = envelope;
      if (alert.client !== tenant) {
        metrics.ingested.inc({ kind: 'alert', result: 'refused' });
        throw new ForbiddenError(`this token belongs to client ${tenant}, not ${alert.client}`);
      }
      // The envelope reads any time JavaScript can; the database holds fewer.
      parseStorableTime(alert.detectedAt, 'alert.detectedAt');
      if (key !== undefined && key !== alert.id) {
        throw new InputError('VIGIE_E_INGEST_INVALID', 'Idempotency-Key must be the alert ID');
      }
      let snapshot;
      if (envelope.snapshot) {
        const digest = sha256(envelope.snapshot.data);
        const objectKey = evidenceKey(alert.client, alert.id, 'snapshot', digest);
        await evidence.put(objectKey, envelope.snapshot.data, envelope.snapshot.contentType);
        snapshot = {
          alertId: alert.id,
          kind: 'snapshot' as const,
          contentType: envelope.snapshot.contentType,
          objectKey,
          size: envelope.snapshot.data.byteLength,
          sha256: digest,
        };
      }
      const hook = context.onAlertStored;
      const stored = await storeAlert(sql, alert, {
        ...(snapshot ? { snapshot } : {}),
        ...(hook ? { alsoInTransaction: (tx) => hook(alert, tx) } : {}),
      });
      metrics.ingested.inc({ kind: 'alert', result: stored ? 'stored' : 'duplicate' });
      if (stored) context.hub.announce(alert.id);
      return reply
        .status(stored ? 201 : 409)
        .send(stored ? { id: alert.id } : { code: 'VIGIE_E_ALREADY_STORED', id: alert.id });
    }
    const owner = await alertClient(sql, envelope.alertId);
    // Another tenant's alert answers as one that does not exist, so IDs cannot be probed.
    if (owner !== tenant) throw new NotFoundError(`no alert ${envelope.alertId}`);
    const digest = sha256(envelope.data);
    const objectKey = evidenceKey(owner, envelope.alertId, 'clip', digest);
    await evidence.put(objectKey, envelope.data, envelope.contentType);
    const stored = await storeEvidence(sql, {
      alertId: envelope.alertId,
      kind: 'clip',
      contentType: envelope.contentType,
      objectKey,
      size: envelope.data.byteLength,
      sha256: digest,
    });
    metrics.ingested.inc({ kind: 'clip', result: stored ? 'stored' : 'duplicate' });
    return reply
      .status(stored ? 201 : 409)
      .send(
        stored
          ? { id: envelope.alertId }
          : { code: 'VIGIE_E_ALREADY_STORED', id: envelope.alertId },
      );
  });
}
