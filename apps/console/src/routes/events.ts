/**
 * Live alerts as Server-Sent Events. Each stream sees only the caller's clients. A comment
 * every 15 s keeps proxies (and the Ingress's idle timeout) from closing a quiet stream.
 */

import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../http/route.js';
import { canSee } from '../principal.js';
import type { RouteContext } from './context.js';

const HEARTBEAT_MS = 15_000;

/** The live router. */
export function eventRoutes(app: FastifyInstance, context: RouteContext): void {
  const open = new Set<ServerResponse>();

  // Open streams would keep `close()` waiting forever: end them first.
  app.addHook('preClose', (done) => {
    for (const stream of [...open]) stream.destroy();
    done();
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/v1/events',
    caller: 'person',
    handle: ({ caller }, reply) => {
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      stream.write(`retry: 3000\n: hello ${caller.subject}\n\n`);
      open.add(stream);
      context.metrics.liveConnections.inc();
      const unsubscribe = context.hub.subscribe((alert) => {
        if (!canSee(caller, alert.client)) return;
        stream.write(`id: ${alert.id}\nevent: alert\ndata: ${JSON.stringify(alert)}\n\n`);
      });
      const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const cleanup = () => {
        if (!open.delete(stream)) return;
        clearInterval(heartbeat);
        unsubscribe();
        context.metrics.liveConnections.dec();
      };
      stream.on('close', cleanup);
      stream.on('error', cleanup);
    },
  });
}
