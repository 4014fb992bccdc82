import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { covers, deepEqual } from './compare.js';

describe('covers', () => {
  it('ignores what the server adds and compares what the operator sets', () => {
    const wanted = {
      metadata: { labels: { a: '1' } },
      spec: { ports: [{ port: 9464, name: 'metrics' }] },
    };
    const live = {
      metadata: { labels: { a: '1', extra: 'x' }, resourceVersion: '9' },
      spec: { ports: [{ port: 9464, name: 'metrics', protocol: 'TCP' }], clusterIP: '10.0.0.1' },
      status: {},
    };
    assert.equal(covers(live, wanted), true);
  });

  it('sees a changed value, a missing field, and a list of another length', () => {
    const wanted = { spec: { replicas: 1, ports: [{ port: 1 }] } };
    assert.equal(covers({ spec: { replicas: 3, ports: [{ port: 1 }] } }, wanted), false);
    assert.equal(covers({ spec: { ports: [{ port: 1 }] } }, wanted), false);
    assert.equal(
      covers({ spec: { replicas: 1, ports: [{ port: 1 }, { port: 2 }] } }, wanted),
      false,
    );
    assert.equal(covers({ spec: { replicas: 1, ports: [] } }, wanted), false);
  });

  it('does not mistake an object for a list or a scalar', () => {
    assert.equal(covers([], {}), false);
    assert.equal(covers(null, { a: 1 }), false);
    assert.equal(covers({ a: { b: 1 } }, { a: 'x' }), false);
  });
});

describe('deepEqual', () => {
  it('ignores key order and undefined fields', () => {
    assert.equal(
      deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined }),
      true,
    );
    assert.equal(deepEqual({ a: 1 }, { a: 2 }), false);
    assert.equal(deepEqual({ a: [1] }, { a: { 0: 1 } }), false);
    assert.equal(deepEqual({ a: 1 }, { a: 1, b: 2 }), false);
  });
});
