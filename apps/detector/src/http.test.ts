import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Readiness } from './model-registry.js';
import { createDetectorMetrics } from './metrics.js';
import type { DetectorStatus, EndpointDeps } from './http.js';
import { handleRequest, listenHttp } from './http.js';

const status: DetectorStatus = {
  client: 'corner-shop',
  shard: 'shard-0',
  configDigest: 'abc123',
  configProblem: { code: 'VIGIE_E_DETECTOR_CONFIG', message: 'line 3: not JSON' },
  cameras: [
    {
      id: 'door',
      name: 'Door',
      up: false,
      reconnects: 3,
      error: { code: 'VIGIE_E_STREAM_UNREACHABLE', message: 'Connection refused' },
      activeTracks: 0,
      framesAnalysed: 0,
      alerts: 0,
      scheduled: true,
    },
  ],
};

function deps(readiness: Readiness = { ready: true }): EndpointDeps & { refreshed: () => number } {
  const metrics = createDetectorMetrics();
  let refreshed = 0;
  return {
    metrics,
    refreshGauges: () => {
      refreshed++;
      metrics.outboxDepth.set(7);
      return Promise.resolve();
    },
    readiness: () => readiness,
    status: () => status,
    refreshed: () => refreshed,
  };
}

describe('detector HTTP endpoints', () => {
  it('serves Prometheus metrics, with the read gauges brought up to date first', async () => {
    const d = deps();
    const reply = await handleRequest(d, '/metrics');
    assert.equal(reply.status, 200);
    assert.match(reply.contentType, /^text\/plain; version=0\.0\.4/);
    assert.match(reply.body, /^vigie_detector_outbox_depth 7$/m);
    assert.equal(d.refreshed(), 1);
  });

  it('answers the liveness probe', async () => {
    assert.deepEqual(await handleRequest(deps(), '/healthz'), {
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: 'ok\n',
    });
  });

  it('is ready when the models are, and otherwise says why', async () => {
    assert.equal((await handleRequest(deps(), '/readyz')).status, 200);
    const loading = await handleRequest(
      deps({ ready: false, reason: 'loading the model' }),
      '/readyz',
    );
    assert.equal(loading.status, 503);
    assert.equal(loading.body, 'loading the model\n');
  });

  it("answers /status with the cameras' health and the refused config, as JSON", async () => {
    const reply = await handleRequest(deps(), '/status?pretty');
    assert.equal(reply.status, 200);
    assert.equal(reply.contentType, 'application/json');
    assert.deepEqual(JSON.parse(reply.body), status);
  });

  it('answers 404 elsewhere', async () => {
    assert.equal((await handleRequest(deps(), '/api/v1/alerts')).status, 404);
  });

  it('serves the endpoints over HTTP on the port it picked, until closed', async () => {
    const http = await listenHttp(deps(), { port: 0, host: '127.0.0.1' });
    try {
      const res = await fetch(`http://127.0.0.1:${String(http.port)}/status`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.equal(((await res.json()) as DetectorStatus).cameras[0]?.id, 'door');
    } finally {
      await http.close();
    }
    await assert.rejects(fetch(`http://127.0.0.1:${String(http.port)}/healthz`));
  });

  it('refuses to start on a port already taken', async () => {
    const first = await listenHttp(deps(), { port: 0, host: '127.0.0.1' });
    try {
      await assert.rejects(
        listenHttp(deps(), { port: first.port, host: '127.0.0.1' }),
        /EADDRINUSE/,
      );
    } finally {
      await first.close();
    }
  });
});
