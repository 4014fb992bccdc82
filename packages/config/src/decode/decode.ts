/**
 * Turns a parsed XML document into a plain value by walking the schema, collecting every schema
 * problem with its position, and filling in defaults.
 */

import type { ProblemCode } from '../problems/codes.js';
import type { Position, Problem } from '../problems/problem.js';
import { clip } from '../problems/problem.js';
import { DECIMAL_PATTERN } from '../schema/codecs.js';
import type { ObjectNode, Scalar, SchemaRoot } from '../schema/dsl.js';
import { elementNameOf } from '../schema/dsl.js';
import type { XmlAttribute, XmlElement } from '../xml/parse-xml.js';
import type { SourceText } from '../xml/source.js';

/** The namespace of `xsi:schemaLocation` and friends, which editors add to the root. */
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** The `xsi:` attributes that editors add to point at the XSD; they mean nothing to Vigie. */
const XSI_ALLOWED = new Set(['schemaLocation', 'noNamespaceSchemaLocation']);

/**
 * The most problems the decoder collects before it stops looking: enough to show the first ones
 * by position after sorting, few enough to bound the work on a hostile document.
 */
const MAX_COLLECTED = 1000;

/** A decoded document: its value (when it follows the schema), problems, and value positions. */
export interface DecodeResult {
  readonly value: Record<string, unknown> | undefined;
  readonly problems: Problem[];
  /** Where (as an offset in the source) each JSON path's value was written. */
  readonly offsets: Map<string, number>;
  /** Whether decoding stopped early because there were too many problems. */
  readonly truncated: boolean;
}

class TooManyProblems extends Error {}

interface Context {
  readonly source: SourceText;
  readonly problems: Problem[];
  readonly offsets: Map<string, number>;
}

/** Decodes `root` against `schema`; `value` is set only when there are no problems. */
export function decodeDocument(
  root: XmlElement,
  schema: SchemaRoot,
  source: SourceText,
): DecodeResult {
  const ctx: Context = { source, problems: [], offsets: new Map() };
  if (root.local !== schema.element || root.uri !== schema.namespace) {
    const found =
      root.uri === ''
        ? `<${root.local}> with no namespace`
        : `<${root.local}> in namespace "${clip(root.uri)}"`;
    ctx.problems.push({
      code: 'VIGIE_E_XML_NAMESPACE',
      message: `expected <${schema.element} xmlns="${schema.namespace}">, found ${found}`,
      ...source.positionAt(root.offset),
    });
    return { value: undefined, problems: ctx.problems, offsets: ctx.offsets, truncated: false };
  }
  let value: Record<string, unknown> | undefined;
  let truncated = false;
  try {
    value = decodeObject(schema.object, root, '', ctx, schema.namespace);
  } catch (error) {
    if (!(error instanceof TooManyProblems)) throw error;
    truncated = true;
  }
  return {
    value: ctx.problems.length === 0 ? value : undefined,
    problems: ctx.problems,
    offsets: ctx.offsets,
    truncated,
  };
}

function report(
  ctx: Context,
  code: ProblemCode,
  message: string,
  offset: number,
  path: string,
): void {
  const at: Position = ctx.source.positionAt(offset);
  ctx.problems.push({ code, message, ...at, path });
  if (ctx.problems.length >= MAX_COLLECTED) throw new TooManyProblems();
}

/** Namespace declarations and `xsi:` schema hints, which carry no config. */
function meaningless(attr: XmlAttribute): boolean {
  return (
    attr.prefix === 'xmlns' ||
    (attr.prefix === '' && attr.local === 'xmlns') ||
    (attr.uri === XSI_NS && XSI_ALLOWED.has(attr.local))
  );
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function decodeObject(
  node: ObjectNode,
  el: XmlElement,
  path: string,
  ctx: Context,
  ns: string,
): Record<string, unknown> {
  ctx.offsets.set(path, el.offset);
  const out: Record<string, unknown> = {};
  const attributes = new Map<string, XmlAttribute>();

  for (const attr of el.attributes) {
    if (meaningless(attr)) continue;
    const field =
      attr.uri === ''
        ? node.fields.find((f) => f.in === 'attribute' && f.key === attr.local)
        : undefined;
    if (field === undefined) {
      report(
        ctx,
        'VIGIE_E_SCHEMA_UNKNOWN_ATTRIBUTE',
        `<${el.local}> has no attribute "${attr.prefix ? `${attr.prefix}:` : ''}${attr.local}"${suggest(
          attr.local,
          node.fields.filter((f) => f.in === 'attribute').map((f) => f.key),
        )}`,
        attr.offset,
        path,
      );
      continue;
    }
    attributes.set(attr.local, attr);
  }

  for (const t of el.text) {
    report(
      ctx,
      'VIGIE_E_SCHEMA_TEXT',
      `<${el.local}> cannot contain text; its values are attributes`,
      t.offset,
      path,
    );
  }

  const children = new Map<string, XmlElement[]>();
  for (const child of el.children) {
    const field =
      child.uri === ns ? node.fields.find((f) => elementNameOf(f) === child.local) : undefined;
    if (field === undefined) {
      const where =
        child.uri === ns
          ? ''
          : child.uri === ''
            ? ' (it has no namespace)'
            : ` (it is in namespace "${clip(child.uri)}")`;
      const names = node.fields.map(elementNameOf).filter((n): n is string => n !== undefined);
      report(
        ctx,
        'VIGIE_E_SCHEMA_UNKNOWN_ELEMENT',
        `<${el.local}> cannot contain <${child.local}>${where}${child.uri === ns ? suggest(child.local, names) : ''}`,
        child.offset,
        path,
      );
      continue;
    }
    const list = children.get(child.local) ?? [];
    list.push(child);
    children.set(child.local, list);
  }

  for (const field of node.fields) {
    const key = join(path, field.key);
    switch (field.in) {
      case 'attribute': {
        const attr = attributes.get(field.key);
        if (attr === undefined) {
          if (field.required) {
            report(
              ctx,
              'VIGIE_E_SCHEMA_MISSING_ATTRIBUTE',
              `<${el.local}> needs the attribute "${field.key}" (${field.title.toLowerCase()})`,
              el.offset,
              key,
            );
          } else if (field.default !== undefined) {
            out[field.key] = field.default;
          }
          break;
        }
        ctx.offsets.set(key, attr.valueOffset);
        const decoded = decodeScalar(field.scalar, attr.value);
        if (decoded.ok) out[field.key] = decoded.value;
        else
          report(
            ctx,
            decoded.code,
            `${el.local}.${field.key}: ${decoded.message}`,
            attr.valueOffset,
            key,
          );
        break;
      }
      case 'element': {
        const found = children.get(field.key) ?? [];
        for (const extra of found.slice(1)) {
          report(
            ctx,
            'VIGIE_E_SCHEMA_DUPLICATE_ELEMENT',
            `<${field.key}> may appear only once in <${el.local}>`,
            extra.offset,
            key,
          );
        }
        const first = found[0];
        if (first !== undefined) {
          out[field.key] = decodeObject(field.object, first, key, ctx, ns);
        } else if (field.presence === 'required') {
          report(
            ctx,
            'VIGIE_E_SCHEMA_MISSING_ELEMENT',
            `<${el.local}> needs a <${field.key}> element (${field.title.toLowerCase()})`,
            el.offset,
            key,
          );
        } else if (field.presence === 'defaulted') {
          out[field.key] = defaultsOf(field.object);
        }
        break;
      }
      case 'list': {
        let items: XmlElement[];
        let listElement = el;
        if (field.wrapper !== undefined) {
          const wrappers = children.get(field.wrapper) ?? [];
          for (const extra of wrappers.slice(1)) {
            report(
              ctx,
              'VIGIE_E_SCHEMA_DUPLICATE_ELEMENT',
              `<${field.wrapper}> may appear only once in <${el.local}>`,
              extra.offset,
              key,
            );
          }
          const wrapper = wrappers[0];
          if (wrapper === undefined) {
            if (field.minItems > 0) {
              report(
                ctx,
                'VIGIE_E_SCHEMA_MISSING_ELEMENT',
                `<${el.local}> needs a <${field.wrapper}> element with at least ${String(field.minItems)} <${field.item}>`,
                el.offset,
                key,
              );
            }
            out[field.key] = [];
            break;
          }
          listElement = wrapper;
          items = decodeWrapper(wrapper, field.item, key, ctx, ns);
        } else {
          items = children.get(field.item) ?? [];
        }
        ctx.offsets.set(key, listElement.offset);
        if (items.length < field.minItems) {
          report(
            ctx,
            'VIGIE_E_SCHEMA_TOO_FEW',
            `<${listElement.local}> needs at least ${String(field.minItems)} <${field.item}>`,
            listElement.offset,
            key,
          );
        }
        if (field.maxItems !== undefined && items.length > field.maxItems) {
          const over = items[field.maxItems] ?? listElement;
          report(
            ctx,
            'VIGIE_E_SCHEMA_TOO_MANY',
            `<${listElement.local}> may hold at most ${String(field.maxItems)} <${field.item}>, found ${String(items.length)}`,
            over.offset,
            key,
          );
        }
        out[field.key] = items.map((item, i) =>
          decodeObject(field.object, item, `${key}[${String(i)}]`, ctx, ns),
        );
        break;
      }
    }
  }
  return out;
}

/** The items of a wrapper element, reporting anything else inside it. */
function decodeWrapper(
  wrapper: XmlElement,
  item: string,
  path: string,
  ctx: Context,
  ns: string,
): XmlElement[] {
  for (const attr of wrapper.attributes) {
    if (meaningless(attr)) continue;
    report(
      ctx,
      'VIGIE_E_SCHEMA_UNKNOWN_ATTRIBUTE',
      `<${wrapper.local}> has no attributes; found "${attr.local}"`,
      attr.offset,
      path,
    );
  }
  for (const t of wrapper.text) {
    report(
      ctx,
      'VIGIE_E_SCHEMA_TEXT',
      `<${wrapper.local}> cannot contain text, only <${item}> elements`,
      t.offset,
      path,
    );
  }
  const items: XmlElement[] = [];
  for (const child of wrapper.children) {
    if (child.uri === ns && child.local === item) items.push(child);
    else
      report(
        ctx,
        'VIGIE_E_SCHEMA_UNKNOWN_ELEMENT',
        `<${wrapper.local}> can only contain <${item}>, found <${child.local}>`,
        child.offset,
        path,
      );
  }
  return items;
}

/** The value of an object that is absent from the document: its defaults. */
export function defaultsOf(node: ObjectNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of node.fields) {
    switch (field.in) {
      case 'attribute':
        if (field.default !== undefined) out[field.key] = field.default;
        break;
      case 'element':
        if (field.presence === 'defaulted') out[field.key] = defaultsOf(field.object);
        break;
      case 'list':
        out[field.key] = [];
        break;
    }
  }
  return out;
}

type ScalarResult =
  { ok: true; value: unknown } | { ok: false; code: ProblemCode; message: string };

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = new RegExp(`^${DECIMAL_PATTERN}$`);

/** Drops leading and trailing XML whitespace, as XSD does for numbers and booleans. */
function collapse(raw: string): string {
  return raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** The length in Unicode code points, as XSD and Kubernetes count string lengths. */
function codePoints(text: string): number {
  let surrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) surrogates++;
  }
  return text.length - surrogates;
}

/**
 * Decodes one attribute value. Numbers and booleans may be padded with XML whitespace, and
 * string lengths count code points, as in XSD.
 */
function decodeScalar(scalar: Scalar, raw: string): ScalarResult {
  switch (scalar.kind) {
    case 'string': {
      const lengthCode = scalar.patternCode ?? 'VIGIE_E_SCHEMA_RANGE';
      const length = codePoints(raw);
      if (length < (scalar.minLength ?? 0)) {
        const message =
          raw === ''
            ? 'must not be empty'
            : `"${clip(raw)}" is shorter than ${String(scalar.minLength)} characters`;
        return { ok: false, code: lengthCode, message };
      }
      if (length > scalar.maxLength) {
        const message = `is ${String(length)} characters long, over the limit of ${String(scalar.maxLength)}`;
        return { ok: false, code: lengthCode, message };
      }
      if (scalar.pattern !== undefined && !anchored(scalar.pattern).test(raw)) {
        const hint = scalar.patternHint ?? `of the form ${scalar.pattern}`;
        return {
          ok: false,
          code: scalar.patternCode ?? 'VIGIE_E_SCHEMA_PATTERN',
          message: `"${clip(raw)}" is not ${hint}`,
        };
      }
      return { ok: true, value: raw };
    }
    case 'integer': {
      const text = collapse(raw);
      if (!INTEGER.test(text)) {
        const message = `expected a whole number, got "${clip(raw)}"`;
        return { ok: false, code: 'VIGIE_E_SCHEMA_TYPE', message };
      }
      return inRange(Number(text), scalar.minimum, scalar.maximum);
    }
    case 'number': {
      const text = collapse(raw);
      if (!DECIMAL.test(text)) {
        const message = `expected a decimal number such as 2.5, got "${clip(raw)}"`;
        return { ok: false, code: 'VIGIE_E_SCHEMA_TYPE', message };
      }
      return inRange(Number(text), scalar.minimum, scalar.maximum);
    }
    case 'boolean': {
      const text = collapse(raw);
      if (text === 'true' || text === '1') return { ok: true, value: true };
      if (text === 'false' || text === '0') return { ok: true, value: false };
      const message = `expected true or false, got "${clip(raw)}"`;
      return { ok: false, code: 'VIGIE_E_SCHEMA_TYPE', message };
    }
    case 'enum': {
      if (scalar.values.includes(raw)) return { ok: true, value: raw };
      const message = `"${clip(raw)}" is not one of: ${scalar.values.join(', ')}`;
      return { ok: false, code: 'VIGIE_E_SCHEMA_ENUM', message };
    }
    case 'codec':
      return scalar.codec.parse(raw);
  }
}

function inRange(value: number, minimum: number, maximum: number): ScalarResult {
  if (value < minimum || value > maximum) {
    return {
      ok: false,
      code: 'VIGIE_E_SCHEMA_RANGE',
      message: `${String(value)} is outside the range ${String(minimum)} to ${String(maximum)}`,
    };
  }
  return { ok: true, value };
}

const anchoredCache = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let re = anchoredCache.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    anchoredCache.set(pattern, re);
  }
  return re;
}

/** " (did you mean "x"?)" when a known name is one or two edits away from `name`. */
function suggest(name: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
