/** Clients with their config status and last report, and cameras with their health. */

import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import { addRoute } from '../http/route.js';
import { canSee, type Principal } from '../principal.js';
import type { RouteContext } from './context.js';
import { parseClientParams, parseClientQuery } from './schemas.js';

/** The client and camera router. */
export function clientRoutes(app: FastifyInstance, context: RouteContext): void {
  const visible = async (principal: Principal) => {
    const clients = await context.directory.list();
    return clients.filter((c) => canSee(principal, c.name));
  };

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/clients',
    caller: 'person',
    handle: async ({ caller }) => ({ clients: await visible(caller) }),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/clients/:name',
    caller: 'person',
    params: parseClientParams,
    handle: async ({ caller, params: { name } }) => {
      const client = (await visible(caller)).find((c) => c.name === name);
      if (client === undefined) throw new NotFoundError(`no client ${name}`);
      return client;
    },
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/cameras',
    caller: 'person',
    query: parseClientQuery,
    handle: async ({ caller, query: { client: asked } }) => {
      const clients = await visible(caller);
      return {
        cameras: clients
          .filter((c) => asked === undefined || c.name === asked)
          .flatMap((c) => c.cameras),
      };
    },
  });
}
