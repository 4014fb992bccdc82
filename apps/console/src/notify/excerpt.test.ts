import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXCERPT_BYTES, storableExcerpt } from './excerpt.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('storableExcerpt', () => {
  it('keeps one line of printable text', () => {
    assert.equal(
      storableExcerpt(Buffer.from('  invalid\u0000 token\r\n\tsee\u001b[0m docs\u0085\u2028end  ')),
      'invalid token see [0m docs end',
    );
    assert.equal(storableExcerpt('safe\u202Etxt.exe\u200B'), 'safetxt.exe');
    assert.equal(storableExcerpt(''), '');
    assert.equal(storableExcerpt('\u0000\u0001 \u007f'), '');
  });

  it('cuts long text at a character, never inside one', () => {
    const long = storableExcerpt('😀'.repeat(10_000));
    assert.equal(Array.from(long).length, 200);
    assert.ok(long.endsWith('😀…'));
    assert.doesNotMatch(long, LONE_SURROGATE);
    assert.equal(storableExcerpt('abc', 3), 'abc');
    assert.equal(storableExcerpt('abcd', 3), 'ab…');
    assert.equal(storableExcerpt('é'.repeat(300)).length, 200);
  });

  it('stores neither NUL nor lone surrogates, which PostgreSQL refuses', () => {
    const text = storableExcerpt('a\uD800b\uDC00c\u0000d');
    assert.equal(text, 'a\uFFFDb\uFFFDc d');
    assert.doesNotMatch(text, LONE_SURROGATE);
    assert.ok(!text.includes('\u0000'));
  });

  it('reads bytes as UTF-8, dropping a character the read limit cut in half', () => {
    assert.equal(storableExcerpt(Buffer.from([0x6f, 0x6b, 0xff, 0x21])), 'ok\uFFFD!');
    const euro = Buffer.from('€', 'utf8');
    assert.equal(
      storableExcerpt(Buffer.concat([Buffer.from('cost '), euro.subarray(0, 2)])),
      'cost',
    );
    // The bytes read for an excerpt hold its longest form: 200 characters of four bytes.
    const wide = Buffer.from('😀'.repeat(1000), 'utf8').subarray(0, EXCERPT_BYTES);
    assert.equal(Array.from(storableExcerpt(wide)).length, 200);
  });
});
