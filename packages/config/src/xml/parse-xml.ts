/**
 * Safe XML parsing for untrusted config files.
 *
 * The parser never reads anything but the bytes it is given: DOCTYPEs are refused outright (so
 * no entity is declared, expanded or fetched), XInclude is refused, and size, depth, node-count
 * value-length and name-length limits are checked while parsing, so hostile input is rejected
 * with one clear problem, in time proportional to its length.
 */

import { SaxesParser } from 'saxes';
import type { ProblemCode } from '../problems/codes.js';
import type { Position, Problem } from '../problems/problem.js';
import { clip } from '../problems/problem.js';
import { bytePosition, firstInvalidUtf8, SourceText } from './source.js';

/**
 * An attribute, with the offsets of its name and value in the source text. Offsets become
 * line and column only when a problem is reported, which keeps parsing large files cheap.
 */
export interface XmlAttribute {
  readonly local: string;
  readonly prefix: string;
  readonly uri: string;
  readonly value: string;
  readonly offset: number;
  readonly valueOffset: number;
}

/** A run of non-whitespace text inside an element. */
export interface XmlText {
  readonly value: string;
  readonly offset: number;
}

/** An element of a parsed document, with its offset in the source text. */
export interface XmlElement {
  readonly local: string;
  readonly prefix: string;
  readonly uri: string;
  readonly offset: number;
  readonly attributes: XmlAttribute[];
  readonly children: XmlElement[];
  readonly text: XmlText[];
}

/** Limits that bound the work and memory spent on one document. */
export interface XmlLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxNodes: number;
  readonly maxValueLength: number;
  readonly maxNameLength: number;
}

/** Limits generous enough for a 1,000-camera config and tight enough to refuse abuse. */
export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxNodes: 250_000,
  maxValueLength: 64 * 1024,
  maxNameLength: 256,
};

/** The outcome of parsing: a document, or the one problem that stopped the parser. */
export type XmlParseResult =
  | { readonly ok: true; readonly root: XmlElement; readonly source: SourceText }
  | { readonly ok: false; readonly problem: Problem };

/** The XInclude namespace, refused wherever it appears. */
const XINCLUDE_NS = ['http://www.w3.org/2001/XInclude', 'http://www.w3.org/2003/XInclude'];

/** Callers may read only `maxBytes + 1` bytes of a huge file, so the message gives the limit only. */
function tooLarge(limits: XmlLimits): string {
  const mib = limits.maxBytes / (1024 * 1024);
  return `the file is larger than ${String(limits.maxBytes)} bytes (${mib.toFixed(mib < 1 ? 2 : 0)} MiB), the limit for a client config`;
}

/** Thrown inside saxes callbacks to stop parsing at the first problem. */
class Stop extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.message);
    this.problem = problem;
  }
}

/** Whitespace as XML defines it: space, tab, CR and LF (not NBSP or other Unicode spaces). */
const XML_BLANK = /^[ \t\r\n]*$/;

/** C0 control characters that XML 1.0 forbids, and that only binary files contain. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

function failure(code: ProblemCode, message: string, at: Position = { line: 1, column: 1 }) {
  return { ok: false as const, problem: { code, message, ...at } };
}

/** The UTF-8 length of `text`, counting no further than `limit + 1`. */
function utf8Length(text: string, limit: number): number {
  if (text.length > limit) return text.length;
  let length = 0;
  for (let i = 0; i < text.length && length <= limit; i++) {
    const c = text.charCodeAt(i);
    length += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 2 : 3;
  }
  return length;
}

/**
 * Decodes bytes as UTF-8, refusing oversized, binary and invalid input with a located problem.
 * A UTF-8 byte-order mark is dropped.
 */
function decodeXmlBytes(
  bytes: Uint8Array,
  limits: XmlLimits,
): { ok: true; text: string } | { ok: false; problem: Problem } {
  if (bytes.length > limits.maxBytes) return failure('VIGIE_E_INPUT_TOO_LARGE', tooLarge(limits));
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    return failure('VIGIE_E_INPUT_ENCODING', 'file is UTF-16; save it as UTF-8');
  }
  // Control bytes are checked first: binary junk is usually invalid UTF-8 too, and "binary" is
  // the better explanation.
  const control = bytes.findIndex((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (control !== -1) return binary(bytes[control] ?? 0, bytePosition(bytes, control));
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
      hasBom ? bytes.subarray(3) : bytes,
    );
    return { ok: true, text };
  } catch {
    // The decoder does not say where; find the first bad byte ourselves.
    const bad = Math.max(0, firstInvalidUtf8(bytes));
    return failure(
      'VIGIE_E_INPUT_ENCODING',
      `invalid UTF-8 byte 0x${(bytes[bad] ?? 0).toString(16)}; save the file as UTF-8`,
      bytePosition(bytes, bad),
    );
  }
}

function binary(code: number, at: Position) {
  const what = code === 0 ? 'a NUL byte' : `control byte 0x${code.toString(16).padStart(2, '0')}`;
  return failure('VIGIE_E_INPUT_BINARY', `${what}: this is a binary file, not XML`, at);
}

/** Parses an XML document from bytes (UTF-8) or text, within `limits`. */
export function parseXml(
  input: Uint8Array | string,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): XmlParseResult {
  let text: string;
  if (typeof input === 'string') {
    if (utf8Length(input, limits.maxBytes) > limits.maxBytes) {
      return failure('VIGIE_E_INPUT_TOO_LARGE', tooLarge(limits));
    }
    const control = CONTROL.exec(input);
    if (control !== null) {
      return binary(
        input.charCodeAt(control.index),
        new SourceText(input).positionAt(control.index),
      );
    }
    text = input;
  } else {
    const decoded = decodeXmlBytes(input, limits);
    if (!decoded.ok) return decoded;
    text = decoded.text;
  }
  const source = new SourceText(text);
  try {
    return { ok: true, root: parseText(source, limits), source };
  } catch (error) {
    if (error instanceof Stop) return { ok: false, problem: error.problem };
    throw error;
  }
}

function parseText(source: SourceText, limits: XmlLimits): XmlElement {
  const text = source.text;
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let nodes = 0;
  let tagStart = 0;
  // Where the last piece of markup ended: text found afterwards starts there, after blanks.
  let markupEnd = 0;

  const stop = (code: ProblemCode, message: string, offset: number): never => {
    throw new Stop({ code, message, ...source.positionAt(offset) });
  };
  const count = (offset: number) => {
    if (++nodes > limits.maxNodes) {
      stop(
        'VIGIE_E_XML_TOO_MANY_NODES',
        `the document has more than ${String(limits.maxNodes)} elements, attributes and texts`,
        offset,
      );
    }
  };
  const checkName = (name: string, offset: number) => {
    if (name.length > limits.maxNameLength) {
      stop(
        'VIGIE_E_XML_VALUE_TOO_LARGE',
        `a name starting "${clip(name)}" is longer than ${String(limits.maxNameLength)} characters`,
        offset,
      );
    }
  };
  const doctypeStart = () => {
    const at = text.indexOf('<!DOCTYPE');
    return at !== -1 && (root === undefined || at < root.offset) ? at : -1;
  };

  parser.on('error', (error) => {
    const message = error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, '').replace(/\.$/, '');
    const offset = Math.max(0, parser.position - 1);
    // An unfinished DOCTYPE never reaches the doctype event; it is still a DOCTYPE.
    const doctype = doctypeStart();
    if (doctype !== -1 && doctype < offset) refuseDoctype(doctype);
    if (message === 'undefined entity') {
      stop(
        'VIGIE_E_XML_ENTITY',
        'undefined entity; only &amp; &lt; &gt; &quot; &apos; and character references are allowed',
        offset,
      );
    }
    stop('VIGIE_E_XML_SYNTAX', message, offset);
  });
  const refuseDoctype = (offset: number): never =>
    stop(
      'VIGIE_E_XML_DOCTYPE',
      'DOCTYPE declarations are not allowed: Vigie configs use no DTD and no entities',
      offset,
    );
  parser.on('xmldecl', (decl) => {
    if (decl.version !== undefined && decl.version !== '1.0') {
      stop(
        'VIGIE_E_XML_SYNTAX',
        `XML version "${clip(decl.version)}" is not supported; use version="1.0"`,
        0,
      );
    }
    const encoding = decl.encoding?.toLowerCase();
    if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'utf8') {
      stop(
        'VIGIE_E_INPUT_ENCODING',
        `encoding "${clip(decl.encoding ?? '')}" is not supported; save the file as UTF-8 and declare encoding="UTF-8"`,
        0,
      );
    }
  });
  parser.on('doctype', () => {
    refuseDoctype(Math.max(0, doctypeStart()));
  });
  parser.on('opentagstart', (tag) => {
    tagStart = Math.max(0, text.lastIndexOf('<', parser.position - 1));
    checkName(tag.name, tagStart);
    if (stack.length >= limits.maxDepth) {
      stop(
        'VIGIE_E_XML_TOO_DEEP',
        `elements are nested deeper than ${String(limits.maxDepth)} levels`,
        tagStart,
      );
    }
  });
  parser.on('opentag', (tag) => {
    const tagEnd = parser.position;
    markupEnd = tagEnd;
    const names = Object.keys(tag.attributes);
    const attributeOffsets =
      names.length === 0
        ? NO_ATTRIBUTES
        : locateAttributes(text, tagStart + 1 + tag.name.length, tagEnd);
    const attributes: XmlAttribute[] = [];
    for (const attr of Object.values(tag.attributes)) {
      const at = attributeOffsets.get(attr.name) ?? { name: tagStart, value: tagStart };
      count(at.name);
      checkName(attr.name, at.name);
      if (attr.value.length > limits.maxValueLength) {
        stop(
          'VIGIE_E_XML_VALUE_TOO_LARGE',
          `attribute "${attr.name}" is longer than ${String(limits.maxValueLength)} characters`,
          at.name,
        );
      }
      attributes.push({
        local: attr.local,
        prefix: attr.prefix,
        uri: attr.uri,
        value: attr.value,
        offset: at.name,
        valueOffset: at.value,
      });
    }
    count(tagStart);
    const uri = tag.uri;
    if (XINCLUDE_NS.includes(uri)) {
      stop(
        'VIGIE_E_XML_XINCLUDE',
        `XInclude <${tag.name}> is not allowed: configs are self-contained`,
        tagStart,
      );
    }
    const element: XmlElement = {
      local: tag.local,
      prefix: tag.prefix,
      uri,
      offset: tagStart,
      attributes,
      children: [],
      text: [],
    };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else root = element;
    if (!tag.isSelfClosing) stack.push(element);
  });
  // Events fire at or just before the closing ">"; the markup ends after it.
  const onMarkupEnd = () => {
    markupEnd = text.indexOf('>', Math.max(0, parser.position - 1)) + 1;
  };
  parser.on('closetag', (tag) => {
    onMarkupEnd();
    if (!tag.isSelfClosing) stack.pop();
  });
  parser.on('comment', onMarkupEnd);
  parser.on('processinginstruction', onMarkupEnd);
  parser.on('text', (value) => {
    const current = stack.at(-1);
    if (value.length > limits.maxValueLength) {
      stop(
        'VIGIE_E_XML_VALUE_TOO_LARGE',
        `text is longer than ${String(limits.maxValueLength)} characters`,
        markupEnd,
      );
    }
    if (current === undefined || XML_BLANK.test(value)) return;
    let offset = markupEnd;
    while (offset < text.length && ' \t\r\n'.includes(text.charAt(offset))) offset++;
    count(offset);
    current.text.push({ value, offset });
  });
  parser.on('cdata', (value) => {
    const current = stack.at(-1);
    // The cdata event fires at "]]>": the section started where the last markup ended.
    const offset = markupEnd;
    onMarkupEnd();
    if (current === undefined || value.length === 0) return;
    count(offset);
    current.text.push({ value, offset });
  });

  parser.write(text).close();
  if (root === undefined) {
    return stop('VIGIE_E_XML_SYNTAX', 'document must contain a root element', 0);
  }
  return root;
}

const NO_ATTRIBUTES: ReadonlyMap<string, { name: number; value: number }> = new Map();

/** Names and values of attributes: quoted values are matched whole, so `a="b=&quot;c&quot;"` is one. */
const ATTRIBUTE = /([^\s=/<>"']+)\s*=\s*("[^"]*"|'[^']*')/g;

/**
 * Finds where each attribute's name and value start inside the tag text `text[start, end)`.
 * Each match resumes after the previous quoted value, so text inside a value is never mistaken
 * for an attribute.
 */
function locateAttributes(
  text: string,
  start: number,
  end: number,
): Map<string, { name: number; value: number }> {
  const found = new Map<string, { name: number; value: number }>();
  // Search the tag's own text only, after the element name: a search over the rest of the
  // document, or through a long name, would cost time proportional to the file per element.
  const tag = text.slice(start, end);
  ATTRIBUTE.lastIndex = 0;
  for (let match = ATTRIBUTE.exec(tag); match !== null; match = ATTRIBUTE.exec(tag)) {
    const quoted = match[2] ?? '';
    found.set(match[1] ?? '', {
      name: start + match.index,
      value: start + ATTRIBUTE.lastIndex - quoted.length + 1,
    });
  }
  return found;
}
