/** Clients with their config status and last report, and cameras with their health. */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canSee } from '../principal.js';
import { InputError, NotFoundError } from '../errors.js';
import { principalOf } from '../http/callers.js';
import type { RouteContext } from './context.js';
import { queryReader } from './context.js';

/** The client and camera router. */
export function clientRoutes(app: FastifyInstance, context: RouteContext): void {
  const visible = async (request: FastifyRequest) => {
    const principal = principalOf(request);
    const clients = await context.directory.list();
    return clients.filter((c) => canSee(principal, c.name));
  };

  app.get('/api/v1/clients', async (request) => ({ clients: await visible(request) }));

  app.get('/api/v1/clients/:name', async (request) => {
    const name = (request.params as { name?: unknown }).name;
    if (typeof name !== 'string' || !/^[a-z0-9-]{1,63}$/.test(name)) {
      throw new InputError('VIGIE_E_QUERY_INVALID', 'the client name must be a client ID');
    }
    const client = (await visible(request)).find((c) => c.name === name);
    if (client === undefined) throw new NotFoundError(`no client ${name}`);
    return client;
  });

  app.get('/api/v1/cameras', async (request) => {
    const asked = queryReader(request.query).client();
    const clients = await visible(request);
    return {
      cameras: clients
        .filter((c) => asked === undefined || c.name === asked)
        .flatMap((c) => c.cameras),
    };
  });
}
