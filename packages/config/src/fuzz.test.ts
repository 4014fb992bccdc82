import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { repoRoot } from '@vigie/testenv';
import { PROBLEM_CODES } from './problems/codes.js';
import { parseClientConfig } from './validate.js';

const examples = readdirSync(join(repoRoot(), 'examples')).map((f) =>
  readFileSync(join(repoRoot(), 'examples', f)),
);

/** Whatever the input, the parser returns a verdict, and every problem is well-formed. */
function checkVerdict(input: Uint8Array | string): void {
  const result = parseClientConfig(input);
  if (result.ok) return;
  assert.ok(result.problems.length > 0);
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const lines = text.split(/\r\n?|\n/).length;
  for (const p of result.problems) {
    assert.ok(p.code in PROBLEM_CODES, `unknown code ${p.code}`);
    assert.ok(
      Number.isInteger(p.line) && p.line >= 1 && p.line <= lines,
      `line ${String(p.line)} of ${String(lines)}`,
    );
    assert.ok(Number.isInteger(p.column) && p.column >= 1, `column ${String(p.column)}`);
    assert.ok(p.message.length > 0 && !p.message.includes('\n'));
  }
}

const XML_PIECES = [
  '<',
  '>',
  '/>',
  '</',
  '="',
  '"',
  "'",
  '&',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<camera id="x">',
  '</camera>',
  '<zone points="',
  'xmlns="',
  'https://vigie.dev/schemas/client/v1alpha1',
  'xmlns:p="urn:p"',
  '<p:x/>',
  '\u0000',
  '\uFFFE',
  '\uD800',
  '\n',
  ' ',
  '𝒱',
];

/** Random edits of a valid document: insert, delete or replace a slice. */
const mutated = fc
  .tuple(
    fc.constantFrom(...examples),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.nat({ max: 40 }),
        fc.oneof(fc.constantFrom(...XML_PIECES), fc.string({ maxLength: 12 }), fc.constant('')),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([doc, edits]) => {
    let text = doc.toString('utf8');
    for (const [at, length, insert] of edits) {
      const start = at % (text.length + 1);
      text = text.slice(0, start) + insert + text.slice(start + length);
    }
    return text;
  });

describe('the parser under random input', () => {
  it('never throws on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'binary' }), checkVerdict), {
      numRuns: 500,
    });
  });

  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), checkVerdict), { numRuns: 500 });
  });

  it('never throws on mutated valid documents, as text and as bytes', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        checkVerdict(text);
        checkVerdict(new TextEncoder().encode(text));
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws on truncated documents', () => {
    for (const doc of examples) {
      for (let n = 0; n < doc.length; n += 7) checkVerdict(doc.subarray(0, n));
    }
  });
});
