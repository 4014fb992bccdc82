/** The operator's HTTP endpoints: `/metrics` on one port, `/healthz` and `/readyz` on another. */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A route: answers a status and a body. */
export type Route = () => Promise<{ status: number; body: string; contentType?: string }>;

/** Serves `routes` (GET only) on `host:port`; resolves with the server once it listens. */
export async function serve(
  host: string,
  port: number,
  routes: Readonly<Record<string, Route>>,
): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    if (route === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res
        .writeHead(route === undefined ? 404 : 405, { 'Content-Type': 'text/plain' })
        .end(route === undefined ? 'not found\n' : 'method not allowed\n');
      return;
    }
    route().then(
      ({ status, body, contentType }) => {
        res
          .writeHead(status, { 'Content-Type': contentType ?? 'text/plain; charset=utf-8' })
          .end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${String(error)}\n`);
      },
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
