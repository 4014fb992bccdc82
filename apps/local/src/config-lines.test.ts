import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfigOutcome } from './config-lines.js';

describe("vigie up's config lines", () => {
  it('says a config was applied or its client removed', () => {
    assert.equal(
      describeConfigOutcome('client-configs/acme.xml', { result: 'applied', client: 'acme' }),
      'client-configs/acme.xml: applied, client acme is being started',
    );
    assert.equal(
      describeConfigOutcome('client-configs/acme.xml', { result: 'deleted', client: 'acme' }),
      'client-configs/acme.xml: deleted, client acme is being removed',
    );
  });

  it('lists at most ten problems of a rejected config, with their place', () => {
    const problems = Array.from({ length: 12 }, (_, i) => ({
      code: 'VIGIE_E_XML_SYNTAX' as const,
      message: `problem ${String(i)}`,
      line: i + 1,
      column: 3,
    }));
    const line = describeConfigOutcome('c/acme.xml', {
      result: 'rejected',
      client: 'acme',
      problems,
    });
    const lines = line?.split('\n') ?? [];
    assert.equal(
      lines[0],
      'c/acme.xml: REJECTED, 12 problem(s); the previous config keeps running',
    );
    assert.equal(lines[1], '    1:3 VIGIE_E_XML_SYNTAX problem 0');
    assert.equal(lines.length, 11);
  });

  it('says a failure will be retried, and keeps quiet about ignored events', () => {
    assert.equal(
      describeConfigOutcome('c/acme.xml', new Error('disk full')),
      'c/acme.xml: could not be processed (disk full); retrying',
    );
    assert.equal(
      describeConfigOutcome('c/acme.xml', { result: 'ignored', reason: 'a report' }),
      undefined,
    );
  });
});
