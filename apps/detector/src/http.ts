/**
 * The detector's HTTP endpoints: `/metrics` for Prometheus, `/healthz` and `/readyz` for the
 * kubelet's probes, and `/status`, the cameras' health for people. The answers are computed by
 * {@link handleRequest}, apart from the server that carries them.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CameraStatus } from './camera.js';
import type { ConfigProblem } from './config.js';
import type { DetectorMetrics } from './metrics.js';
import type { Readiness } from './model-registry.js';

/** What `/status` answers. */
export interface DetectorStatus {
  readonly client: string;
  readonly shard: string;
  readonly configDigest: string;
  /** The last config that was refused, if it is still the file's content. */
  readonly configProblem?: ConfigProblem;
  readonly cameras: readonly CameraStatus[];
}

/** What the endpoints read from the running detector. */
export interface EndpointDeps {
  readonly metrics: DetectorMetrics;
  /** Brings the gauges that are read, not pushed (outbox, last frames), up to date. */
  readonly refreshGauges: () => Promise<void>;
  readonly readiness: () => Readiness;
  readonly status: () => DetectorStatus;
}

/** An endpoint's answer. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const TEXT = 'text/plain; charset=utf-8';

/** The answer to a request for `url` (any method). */
export async function handleRequest(deps: EndpointDeps, url: string): Promise<Reply> {
  const path = url.split('?')[0] ?? '/';
  switch (path) {
    case '/metrics':
      try {
        await deps.refreshGauges();
        const body = await deps.metrics.registry.metrics();
        return { status: 200, contentType: deps.metrics.registry.contentType, body };
      } catch (e) {
        return { status: 500, contentType: TEXT, body: String(e) };
      }
    case '/healthz':
      return { status: 200, contentType: TEXT, body: 'ok\n' };
    case '/readyz': {
      // A camera that is down does not make the shard unready: its status says why.
      const readiness = deps.readiness();
      return readiness.ready
        ? { status: 200, contentType: TEXT, body: 'ok\n' }
        : { status: 503, contentType: TEXT, body: `${readiness.reason}\n` };
    }
    case '/status':
      return {
        status: 200,
        contentType: 'application/json',
        body: `${JSON.stringify(deps.status(), null, 2)}\n`,
      };
    default:
      return { status: 404, contentType: TEXT, body: 'not found\n' };
  }
}

/** Options of {@link listenHttp}. */
export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
}

/** A listening HTTP server for the endpoints. */
export interface HttpEndpoints {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the endpoints on `host:port`; resolves once listening, rejects if it cannot. */
export async function listenHttp(
  deps: EndpointDeps,
  options: ListenOptions,
): Promise<HttpEndpoints> {
  const server: Server = createServer((req, res) => {
    void handleRequest(deps, req.url ?? '/').then((reply) => {
      res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      // Keep-alive connections (a scraper's) would hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
