/** Who is signed in, the audit log, and the review feedback that tunes sensitivity. */

import type { FastifyInstance } from 'fastify';
import { addRoute } from '../http/route.js';
import { visibleClients } from '../principal.js';
import { feedback } from '../storage/alerts.js';
import { readAudit } from '../storage/audit.js';
import type { RouteContext } from './context.js';
import { parseAuditQuery, parseFeedbackQuery } from './schemas.js';

const DAY = 86_400_000;

/** The people router: `/me`, `/audit`, `/feedback`. */
export function peopleRoutes(app: FastifyInstance, context: RouteContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/v1/me',
    caller: 'person',
    handle: ({ caller }) => caller,
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/audit',
    caller: 'person',
    query: parseAuditQuery,
    handle: async ({ caller, query }) => {
      const entries = await readAudit(context.sql, {
        clients: visibleClients(caller, query.client),
        limit: query.limit,
        ...(query.before === undefined ? {} : { before: query.before }),
      });
      return { entries };
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/feedback',
    caller: 'person',
    query: parseFeedbackQuery,
    handle: async ({ caller, query }) => {
      const since = new Date(context.now().getTime() - query.days * DAY).toISOString();
      const rows = await feedback(context.sql, visibleClients(caller, query.client), since);
      return {
        since,
        rows: rows.map((r) => {
          const judged = r.confirmed + r.dismissed;
          return { ...r, precision: judged === 0 ? null : r.confirmed / judged };
        }),
      };
    },
  });
}
