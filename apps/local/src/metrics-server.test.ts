import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { serveMetrics } from './metrics-server.js';

const quiet = () => undefined;

describe("vigie up's metrics server", () => {
  it('serves /metrics on the loopback, and nothing else', async () => {
    const registry = {
      contentType: 'text/plain; version=0.0.4',
      metrics: () => Promise.resolve('vigie_alerts_total 3\n'),
    };
    const server = await serveMetrics({ registry, port: 0, log: quiet });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const response = await fetch(server.url);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4');
      assert.equal(await response.text(), 'vigie_alerts_total 3\n');
      assert.equal((await fetch(server.url.replace('/metrics', '/'))).status, 404);
    } finally {
      await server.close();
    }
  });

  it('answers 500 when the metrics cannot be collected', async () => {
    const registry = { contentType: 'text/plain', metrics: () => Promise.reject(new Error('no')) };
    const server = await serveMetrics({ registry, port: 0, log: quiet });
    try {
      assert.equal((await fetch(server.url)).status, 500);
    } finally {
      await server.close();
    }
  });

  it('says which option to change when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const registry = { contentType: 'text/plain', metrics: () => Promise.resolve('') };
    try {
      await assert.rejects(serveMetrics({ registry, port, log: quiet }), {
        code: 'VIGIE_E_PORT_IN_USE',
        message: /--metrics-port/,
      });
    } finally {
      taken.close();
    }
  });
});
