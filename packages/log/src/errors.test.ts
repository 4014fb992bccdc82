import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeError,
  errorCode,
  errorMessage,
  isTransient,
  toError,
  VigieError,
} from './errors.js';

describe('VigieError', () => {
  it('carries its code, the registry transience, its cause, and reads as an Error', () => {
    const cause = new Error('connect ECONNREFUSED');
    const error = new VigieError('VIGIE_E_MODEL_UNREACHABLE', 'cannot fetch the model', { cause });
    assert.ok(error instanceof Error);
    assert.equal(error.code, 'VIGIE_E_MODEL_UNREACHABLE');
    assert.equal(error.message, 'cannot fetch the model');
    assert.equal(error.cause, cause);
    assert.equal(error.transient, true);
    assert.equal(new VigieError('VIGIE_E_PORT_IN_USE', 'taken').transient, false);
    assert.equal(new VigieError('VIGIE_E_PORT_IN_USE', 'taken', {}).cause, undefined);
  });

  it('lets a subclass name itself and overrides transience when told', () => {
    class PortError extends VigieError {
      override readonly name = 'PortError';
    }
    const error = new PortError('VIGIE_E_WEBHOOK_STATUS', 'answered 503', { transient: true });
    assert.equal(error.name, 'PortError');
    assert.equal(error.transient, true);
    assert.match(String(error), /^PortError: answered 503/);
  });
});

describe('errorMessage', () => {
  it("gives an Error's message and anything else as text", () => {
    assert.equal(errorMessage(new TypeError('bad')), 'bad');
    assert.equal(errorMessage('plain'), 'plain');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
  });
});

describe('toError', () => {
  it('keeps an Error as it is and wraps anything else', () => {
    const error = new RangeError('out');
    assert.equal(toError(error), error);
    const wrapped = toError('plain');
    assert.ok(wrapped instanceof Error);
    assert.equal(wrapped.message, 'plain');
    assert.equal(toError(42).message, '42');
  });
});

describe('errorCode', () => {
  it('recognises runtime and config codes, and nothing else', () => {
    assert.equal(errorCode(new VigieError('VIGIE_E_CAMERA_SECRET', 'x')), 'VIGIE_E_CAMERA_SECRET');
    assert.equal(
      errorCode(Object.assign(new Error('x'), { code: 'VIGIE_E_CREDENTIALS_IN_URL' })),
      'VIGIE_E_CREDENTIALS_IN_URL',
    );
    assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ENOENT' })), undefined);
    assert.equal(errorCode({ code: 404 }), undefined);
    assert.equal(errorCode('VIGIE_E_CAMERA_SECRET'), undefined);
    assert.equal(errorCode(null), undefined);
  });
});

describe('isTransient', () => {
  it('retries throttling, server errors and conflicts, not other HTTP answers', () => {
    for (const status of [409, 429, 500, 503]) {
      assert.equal(isTransient({ code: status }), true, String(status));
      assert.equal(isTransient({ status }), true, String(status));
      assert.equal(isTransient({ statusCode: status }), true, String(status));
    }
    for (const status of [400, 403, 404, 422]) assert.equal(isTransient({ code: status }), false);
  });

  it('retries network errors found anywhere in the cause chain', () => {
    const socket = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const wrapped = new Error('request failed', { cause: new Error('inner', { cause: socket }) });
    assert.equal(isTransient(wrapped), true);
    assert.equal(isTransient(new Error('fetch failed')), true);
    assert.equal(isTransient(new Error('socket hang up')), true);
    assert.equal(isTransient(Object.assign(new Error('no'), { code: 'ENOENT' })), false);
    assert.equal(isTransient(new Error('invalid config')), false);
    assert.equal(isTransient('timeout'), false);
  });

  it("takes an error's own word first", () => {
    assert.equal(isTransient(new VigieError('VIGIE_E_STREAM_UNREACHABLE', 'down')), true);
    assert.equal(isTransient(new VigieError('VIGIE_E_STREAM_AUTH', 'timeout')), false);
    // The operator's API errors: status 0 is a network error.
    assert.equal(isTransient({ status: 0, transient: true }), true);
    assert.equal(isTransient({ status: 503, transient: false }), false);
  });
});

describe('describeError', () => {
  it('prefers the Kubernetes Status message, else the first line', () => {
    const status = {
      body: JSON.stringify({ kind: 'Status', message: 'clients "a" is forbidden' }),
    };
    assert.equal(describeError(status), 'clients "a" is forbidden');
    assert.equal(describeError(new Error('HTTP 500\nheaders: secret')), 'HTTP 500');
    assert.equal(describeError(Object.assign(new Error('boom'), { body: 'not json' })), 'boom');
    assert.equal(describeError('text'), 'text');
  });
});
