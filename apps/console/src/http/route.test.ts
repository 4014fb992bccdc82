/**
 * The request pipeline on its own: a route's handler runs only for the caller it declared, and
 * only with its path, query and body checked, in that order.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { InputError } from '../errors.js';
import { createConsoleMetrics } from '../metrics.js';
import type { Principal } from '../principal.js';
import { installRequestPipeline } from './pipeline.js';
import { addRoute } from './route.js';

const alice: Principal = { subject: 'alice@example.com', role: 'viewer', clients: ['shop-a'] };

const numberOf = (name: string) => (raw: unknown) => {
  const value = (raw as Record<string, unknown>)[name];
  if (typeof value !== 'string' || !/^\d+$/.test(value)) {
    throw new InputError('VIGIE_E_QUERY_INVALID', `${name} must be a number`);
  }
  return Number(value);
};

describe('the request pipeline', () => {
  let app: FastifyInstance;
  const handled: string[] = [];

  before(async () => {
    app = Fastify();
    // Statuses are app.ts's business; here the code and message say who refused what.
    app.setErrorHandler((error: Error & { code?: string }, _request, reply) => {
      void reply.status(400).send({ code: error.code, message: error.message });
    });
    installRequestPipeline(app, {
      authenticate: (headers) =>
        Promise.resolve(headers.authorization === 'Bearer alice-token' ? alice : undefined),
      tenantOf: (headers) =>
        Promise.resolve(headers.authorization === 'Bearer shop-a-ingest' ? 'shop-a' : undefined),
      charge: () => undefined,
      lingerMs: 0,
      metrics: createConsoleMetrics({ defaults: false }),
    });
    addRoute(app, {
      method: 'POST',
      url: '/things/:n',
      caller: 'person',
      params: numberOf('n'),
      query: numberOf('q'),
      body: numberOf('b'),
      handle: ({ caller, params, query, body }) => {
        handled.push(caller.subject);
        return { sum: params + query + body };
      },
    });
    addRoute(app, {
      method: 'GET',
      url: '/tenant',
      caller: 'detector',
      handle: ({ caller }) => {
        handled.push(caller);
        return { tenant: caller };
      },
    });
    addRoute(app, { method: 'GET', url: '/open', caller: 'anyone', handle: () => 'ok' });
    await app.ready();
  });

  after(() => app.close());

  const post = (url: string, payload: unknown, token = 'alice-token') =>
    app.inject({ method: 'POST', url, payload: payload as object, headers: auth(token) });
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const codeOf = (reply: { body: string }) => (JSON.parse(reply.body) as { code?: string }).code;

  it('hands the handler its caller and its checked path, query and body', async () => {
    const reply = await post('/things/1?q=2', { b: '3' });
    assert.equal(reply.statusCode, 200, reply.body);
    assert.deepEqual(reply.json(), { sum: 6 });
    assert.deepEqual(handled.splice(0), ['alice@example.com']);
  });

  it('never runs the handler for a caller of another kind, or none', async () => {
    for (const token of ['shop-a-ingest', 'nobody']) {
      const reply = await post('/things/1?q=2', { b: '3' }, token);
      assert.equal(codeOf(reply), 'VIGIE_E_UNAUTHENTICATED');
    }
    const person = await app.inject({
      method: 'GET',
      url: '/tenant',
      headers: auth('alice-token'),
    });
    assert.equal(codeOf(person), 'VIGIE_E_UNAUTHENTICATED');
    assert.deepEqual(handled.splice(0), []);
    const detector = await app.inject({
      method: 'GET',
      url: '/tenant',
      headers: auth('shop-a-ingest'),
    });
    assert.deepEqual(detector.json(), { tenant: 'shop-a' });
    assert.equal((await app.inject({ method: 'GET', url: '/open' })).body, 'ok');
    assert.deepEqual(handled.splice(0), ['shop-a']);
  });

  it('checks the path, then the query, then the body, and names the first bad one', async () => {
    const cases: [string, unknown, string][] = [
      ['/things/x?q=y', { b: 'z' }, 'n must be a number'],
      ['/things/1?q=y', { b: 'z' }, 'q must be a number'],
      ['/things/1?q=2', { b: 'z' }, 'b must be a number'],
    ];
    for (const [url, body, message] of cases) {
      const reply = await app.inject({
        method: 'POST',
        url,
        payload: body as object,
        headers: auth('alice-token'),
      });
      assert.deepEqual(reply.json(), { code: 'VIGIE_E_QUERY_INVALID', message });
    }
    assert.deepEqual(handled.splice(0), []);
  });

  it('refuses what the database cannot store before any parser runs', async () => {
    const reply = await post('/things/1?q=2', { b: '3', note: 'nul\0' });
    assert.equal(codeOf(reply), 'VIGIE_E_UNSTORABLE');
    assert.deepEqual(handled.splice(0), []);
  });
});
