/** Who is signed in, the audit log, and the review feedback that tunes sensitivity. */

import type { FastifyInstance } from 'fastify';
import { visibleClients } from '../principal.js';
import { InputError } from '../errors.js';
import { feedback } from '../storage/alerts.js';
import { readAudit } from '../storage/audit.js';
import { principalOf } from '../http/callers.js';
import type { RouteContext } from './context.js';
import { queryReader } from './context.js';

const DAY = 86_400_000;

/** The people router: `/me`, `/audit`, `/feedback`. */
export function peopleRoutes(app: FastifyInstance, context: RouteContext): void {
  app.get('/api/v1/me', (request) => principalOf(request));

  app.get('/api/v1/audit', async (request) => {
    const principal = principalOf(request);
    const q = queryReader(request.query);
    const before = q.raw('before');
    if (before !== undefined && !/^\d{1,18}$/.test(before)) {
      throw new InputError('VIGIE_E_QUERY_INVALID', 'before must be an entry ID');
    }
    const entries = await readAudit(context.sql, {
      clients: visibleClients(principal, q.client()),
      limit: q.integer('limit', 1, 500, 100),
      ...(before === undefined ? {} : { before }),
    });
    return { entries };
  });

  app.get('/api/v1/feedback', async (request) => {
    const principal = principalOf(request);
    const q = queryReader(request.query);
    const days = q.integer('days', 1, 365, 30);
    const since = new Date(context.now().getTime() - days * DAY).toISOString();
    const rows = await feedback(context.sql, visibleClients(principal, q.client()), since);
    return {
      since,
      rows: rows.map((r) => {
        const judged = r.confirmed + r.dismissed;
        return { ...r, precision: judged === 0 ? null : r.confirmed / judged };
      }),
    };
  });
}
