/**
 * `vigie up`'s `/metrics`, on a port of its own on the loopback whatever `--host` says, as a pod
 * serves them apart from the API: they name every client, and need no token to be scraped.
 */

import { createServer } from 'node:http';
import type { Logger } from '@vigie/log';
import { errorMessage } from '@vigie/log';
import { LocalPlatformError } from './errors.js';

/** What the metrics server reads: a Prometheus registry. */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Options of {@link serveMetrics}. */
export interface MetricsServerOptions {
  readonly registry: MetricsRegistry;
  /** 0 picks a free one. */
  readonly port: number;
  readonly log: Logger;
}

/** A listening metrics server. */
export interface MetricsServer {
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` on 127.0.0.1; a port in use is a {@link LocalPlatformError}. */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, log } = options;
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (body) => {
        response.writeHead(200, { 'content-type': registry.contentType }).end(body);
      },
      (error: unknown) => {
        log('ERROR', 'metrics could not be collected', { error: String(error) });
        response.writeHead(500).end();
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', resolve);
    });
  } catch (error) {
    throw new LocalPlatformError(
      'VIGIE_E_PORT_IN_USE',
      `the metrics cannot listen on 127.0.0.1:${String(options.port)}: ${errorMessage(error)}; pick another with --metrics-port`,
    );
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
