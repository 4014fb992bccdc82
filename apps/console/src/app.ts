/**
 * The console's HTTP API, built apart from `listen` so that tests drive it with `inject()`.
 * Domain errors become statuses here and nowhere else.
 */

import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { AuthError, ForbiddenError, InputError, NotFoundError } from './errors.js';
import { parseEnvelope } from './ingest.js';
import { alertClient, clientOfToken, storeAlert, storeEvidence } from './storage/alerts.js';
import type { Sql } from './storage/db.js';

/** What the API needs. */
export interface AppDeps {
  readonly sql: Sql;
}

/** The largest request body: a clip of a few MiB, base64-encoded, with room to spare. */
const BODY_LIMIT = 80 * 1024 * 1024;

async function tenantOf(sql: Sql, request: FastifyRequest): Promise<string> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer ([\x21-\x7e]{16,512})$/.exec(header);
  if (!match?.[1])
    throw new AuthError('an ingest token is required: Authorization: Bearer <token>');
  const client = await clientOfToken(sql, match[1]);
  if (client === undefined) throw new AuthError('the ingest token is not known');
  return client;
}

/** Builds the API. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ bodyLimit: BODY_LIMIT, logger: false });
  const { sql } = deps;

  app.setErrorHandler((thrown: unknown, _request, reply) => {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    const status =
      error instanceof InputError
        ? 400
        : error instanceof AuthError
          ? 401
          : error instanceof ForbiddenError
            ? 403
            : error instanceof NotFoundError
              ? 404
              : (error as { statusCode?: number }).statusCode === 413
                ? 413
                : (error as { statusCode?: number }).statusCode === 400
                  ? 400
                  : 500;
    const code =
      'code' in error && typeof error.code === 'string' && error.code.startsWith('VIGIE_E_')
        ? error.code
        : status === 413
          ? 'VIGIE_E_TOO_LARGE'
          : status === 400
            ? 'VIGIE_E_BAD_REQUEST'
            : 'VIGIE_E_INTERNAL';
    void reply
      .status(status)
      .send({ code, message: status === 500 ? 'internal error' : error.message });
  });

  // Detectors post alerts and clips here; each is stored once, whatever the deliveries.
  app.post('/api/v1/ingest/alerts', async (request, reply) => {
    const tenant = await tenantOf(sql, request);
    const envelope = parseEnvelope(request.body);
    const key = request.headers['idempotency-key'];
    if (envelope.type === 'alert') {
      if (envelope.alert.client !== tenant) {
        throw new ForbiddenError(
          `this token belongs to client ${tenant}, not ${envelope.alert.client}`,
        );
      }
      if (key !== undefined && key !== envelope.alert.id) {
        throw new InputError('VIGIE_E_INGEST_INVALID', 'Idempotency-Key must be the alert ID');
      }
      const stored = await storeAlert(sql, envelope.alert);
      if (stored && envelope.snapshot) {
        await storeEvidence(sql, {
          alertId: envelope.alert.id,
          kind: 'snapshot',
          ...envelope.snapshot,
        });
      }
      return reply
        .status(stored ? 201 : 409)
        .send(
          stored
            ? { id: envelope.alert.id }
            : { code: 'VIGIE_E_ALREADY_STORED', id: envelope.alert.id },
        );
    }
    const owner = await alertClient(sql, envelope.alertId);
    if (owner === undefined) throw new NotFoundError(`no alert ${envelope.alertId}`);
    if (owner !== tenant) throw new NotFoundError(`no alert ${envelope.alertId}`);
    const stored = await storeEvidence(sql, {
      alertId: envelope.alertId,
      kind: 'clip',
      contentType: envelope.contentType,
      data: envelope.data,
    });
    return reply
      .status(stored ? 201 : 409)
      .send(
        stored
          ? { id: envelope.alertId }
          : { code: 'VIGIE_E_ALREADY_STORED', id: envelope.alertId },
      );
  });

  app.get('/healthz', () => 'ok\n');
  return app;
}
