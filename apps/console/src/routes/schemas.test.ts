/** The route schemas: what each route accepts, and the code it refuses the rest with. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../errors.js';
import {
  encodeCursor,
  parseAlertListQuery,
  parseAuditQuery,
  parseClipBody,
  parseClipParams,
  parseEvidenceParams,
  parseReviewBody,
} from './schemas.js';

/** The code a parser refuses a value with. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.code;
  }
  return 'accepted';
}

describe('route schemas', () => {
  it('reads an alert list query, with its defaults and its cursor', () => {
    assert.deepEqual(parseAlertListQuery({}), { filter: { limit: 50 } });
    const after = { detectedAt: '2026-03-01T10:00:00.000Z', id: 'alt_1' };
    assert.deepEqual(
      parseAlertListQuery({
        client: 'shop-a',
        limit: '10',
        status: 'new',
        from: '2026-01-01T00:00:00Z',
        cursor: encodeCursor(after),
      }),
      {
        client: 'shop-a',
        filter: { limit: 10, status: 'new', from: '2026-01-01T00:00:00.000Z', after },
      },
    );
  });

  it('refuses bad query values as VIGIE_E_QUERY_INVALID, and unstorable times apart', () => {
    for (const query of [
      { client: 'Shop_A' },
      { limit: '0' },
      { status: 'maybe' },
      { camera: ['a', 'b'] },
      { cursor: 'not-a-cursor' },
    ]) {
      assert.equal(
        refusal(() => parseAlertListQuery(query)),
        'VIGIE_E_QUERY_INVALID',
      );
    }
    assert.equal(
      refusal(() => parseAuditQuery({ before: 'x' })),
      'VIGIE_E_QUERY_INVALID',
    );
    assert.equal(
      refusal(() => parseAlertListQuery({ to: '+100000-01-01T00:00:00Z' })),
      'VIGIE_E_UNSTORABLE',
    );
  });

  it('reads a review, trimming its note and dropping a blank one', () => {
    assert.deepEqual(parseReviewBody({ verdict: 'confirmed', note: '  seen  ' }), {
      verdict: 'confirmed',
      note: 'seen',
    });
    assert.deepEqual(parseReviewBody({ verdict: 'dismissed', note: ' ' }), {
      verdict: 'dismissed',
    });
    for (const body of [null, [], { verdict: 'new' }, { verdict: 'confirmed', note: 3 }]) {
      assert.equal(
        refusal(() => parseReviewBody(body)),
        'VIGIE_E_BAD_REQUEST',
      );
    }
  });

  it('leaves an unknown evidence kind to the route, which answers 404', () => {
    assert.deepEqual(parseEvidenceParams({ id: 'alt_1', kind: 'audio' }), {
      id: 'alt_1',
      kind: 'audio',
    });
    assert.equal(
      refusal(() => parseEvidenceParams({ id: 'a/b', kind: 'clip' })),
      'VIGIE_E_QUERY_INVALID',
    );
  });

  it("refuses a detector's bad clip path or empty clip as VIGIE_E_INGEST_INVALID", () => {
    assert.equal(
      refusal(() => parseClipParams({ key: 'a b' })),
      'VIGIE_E_INGEST_INVALID',
    );
    assert.equal(
      refusal(() => parseClipBody(new Uint8Array())),
      'VIGIE_E_INGEST_INVALID',
    );
    assert.equal(
      refusal(() => parseClipBody('bytes')),
      'VIGIE_E_INGEST_INVALID',
    );
  });
});
