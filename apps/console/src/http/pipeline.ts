/**
 * The hooks every request passes through, in the order Fastify runs them: no content sniffing
 * on any answer; the caller authenticated by the kind its route declares, before the body is
 * read (`callers.ts`); what it sent checked against what the database can store
 * (`storable.ts`); an early answer closing the connection instead of reading the rest; and
 * each answer counted. Routes added with `addRoute` (`route.ts`) then parse their path, query
 * and body before their handler runs.
 */

import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticate.js';
import type { ConsoleMetrics } from '../metrics.js';
import type { BudgetCharge } from './budget.js';
import { createCallerHook, type TenantResolver } from './callers.js';
import { closeAfterEarlyAnswer } from './limits.js';
import { verifyStorable } from './storable.js';

/** What the pipeline needs. */
export interface PipelineOptions {
  /** Who a person is, from their request's headers. */
  readonly authenticate: Authenticator;
  /** Which tenant an ingest token belongs to. */
  readonly tenantOf: TenantResolver;
  /** Charges each detector post to its tenant's ingest budget. */
  readonly charge: BudgetCharge;
  /** How long an unread body is drained after an early answer, before the socket is cut. */
  readonly lingerMs: number;
  readonly metrics: ConsoleMetrics;
}

/** Adds the request pipeline's hooks to the app; routes added afterwards all go through it. */
export function installRequestPipeline(app: FastifyInstance, options: PipelineOptions): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.raw.setHeader('x-content-type-options', 'nosniff');
    done();
  });
  app.addHook(
    'onRequest',
    createCallerHook({
      authenticate: options.authenticate,
      tenantOf: options.tenantOf,
      charge: options.charge,
    }),
  );
  app.addHook('preValidation', (request, _reply, done) => {
    verifyStorable(request.params, 'the path');
    verifyStorable(request.query, 'the query');
    // Raw bodies (clips) are bytes, not text: nothing in them reaches a text column.
    if (request.body !== undefined && !(request.body instanceof Uint8Array)) {
      verifyStorable(request.body, 'the body');
    }
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    closeAfterEarlyAnswer(request, reply, options.lingerMs);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const { metrics } = options;
    metrics.requests.inc({ route, method: request.method, code: String(reply.statusCode) });
    metrics.duration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    done();
  });
}
