import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failure } from './outcome.js';
import { backoffMs, decideRetry, DEFAULT_RETRY_POLICY, parseRetryAfter } from './retry.js';

const unavailable = failure('VIGIE_E_WEBHOOK_STATUS', 'hooks.example answered 503', true);
const middle = () => 0.5;

describe('decideRetry', () => {
  it('marks a delivered notification sent', () => {
    assert.deepEqual(decideRetry({ ok: true }, 1, middle), { state: 'sent' });
  });

  it('retries transient failures with a doubling wait', () => {
    const waits = [1, 2, 3].map((attempts) => {
      const verdict = decideRetry(unavailable, attempts, middle);
      return verdict.state === 'pending' ? verdict.delayMs : verdict.state;
    });
    assert.deepEqual(waits, [30_000, 60_000, 120_000]);
  });

  it('spreads the waits by up to a fifth either way', () => {
    const low = decideRetry(unavailable, 1, () => 0);
    const high = decideRetry(unavailable, 1, () => 0.999999);
    assert.equal(low.state === 'pending' && low.delayMs, 24_000);
    assert.equal(high.state === 'pending' && high.delayMs, 36_000);
  });

  it('gives up after eight attempts, about an hour after the first', () => {
    const total = [1, 2, 3, 4, 5, 6, 7].reduce((sum, n) => sum + backoffMs(n), 0);
    assert.ok(total > 55 * 60_000 && total < 70 * 60_000, `${String(total)} ms`);
    const last = decideRetry(unavailable, DEFAULT_RETRY_POLICY.maxAttempts, middle);
    assert.match(
      last.state === 'failed' ? last.error : last.state,
      /^VIGIE_E_WEBHOOK_STATUS: .* after 8 attempts/,
    );
  });

  it('fails a permanent failure at once', () => {
    const verdict = decideRetry(
      failure('VIGIE_E_WEBHOOK_STATUS', 'answered 400', false),
      1,
      middle,
    );
    assert.deepEqual(verdict, { state: 'failed', error: 'VIGIE_E_WEBHOOK_STATUS: answered 400' });
  });

  it('waits as long as Retry-After asks, within an hour', () => {
    const asked = decideRetry(failure('VIGIE_E_WEBHOOK_STATUS', '429', true, 120_000), 1, middle);
    assert.equal(asked.state === 'pending' && asked.delayMs, 120_000);
    const tooLong = decideRetry(
      failure('VIGIE_E_WEBHOOK_STATUS', '429', true, 86_400_000),
      1,
      middle,
    );
    assert.equal(tooLong.state === 'pending' && tooLong.delayMs, 3_600_000);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-26T10:00:00.000Z');
  it('reads seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 10:01:00 GMT', now), 60_000);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });
});
