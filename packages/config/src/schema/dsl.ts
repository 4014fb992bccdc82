/**
 * The building blocks of the client config schema.
 *
 * The schema is written once, as data, with these types. Everything else is derived from it:
 * the XML decoder, the TypeScript types, the XSD, the CRD's openAPIV3Schema and the reference
 * docs. No generator knows a field by name.
 */

import type { ProblemCode } from '../problems/codes.js';

/** A title and description, shown in the XSD, the CRD and the reference docs. */
export interface Doc {
  readonly title: string;
  readonly description: string;
}

/** The outcome of parsing one XML value: the decoded value, or why it is wrong. */
export type CodecResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ProblemCode; readonly message: string };

/**
 * A structured value written as text in XML (for example a polygon's `points`), with its own
 * shape in JSON and TypeScript.
 */
export interface Codec<T = unknown> {
  /** The XSD simple type's name. */
  readonly name: string;
  /** An XSD pattern (also valid in JavaScript and RE2) that every accepted text matches. */
  readonly xsdPattern: string;
  /** The XSD base type the pattern restricts; `xs:token` unless set. */
  readonly xsdBase?: string;
  /** How the text looks, for the docs. */
  readonly syntax: string;
  /** The TypeScript type of the decoded value. */
  readonly tsType: string;
  /** The structural OpenAPI schema of the decoded value. */
  readonly openApi: Readonly<Record<string, unknown>>;
  readonly parse: (text: string) => CodecResult<T>;
}

/** A free-form string, optionally constrained. */
export interface StringScalar {
  readonly kind: 'string';
  readonly minLength?: number;
  readonly maxLength: number;
  /**
   * Anchored pattern, in the common subset of XSD, JavaScript and RE2 regexes: no `\\s`, `\\d`
   * or `\\w` (their meanings differ), no non-capturing groups, no lookaround.
   */
  readonly pattern?: string;
  /** The code to report when the pattern does not match; `VIGIE_E_SCHEMA_PATTERN` by default. */
  readonly patternCode?: ProblemCode;
  /** What the pattern means, in words. */
  readonly patternHint?: string;
}

/** A whole number within bounds. */
export interface IntegerScalar {
  readonly kind: 'integer';
  readonly minimum: number;
  readonly maximum: number;
}

/** A decimal number within bounds (XSD `xs:decimal`: no exponent). */
export interface NumberScalar {
  readonly kind: 'number';
  readonly minimum: number;
  readonly maximum: number;
}

/** `true` or `false` (XSD also allows `1` and `0`). */
export interface BooleanScalar {
  readonly kind: 'boolean';
}

/** One of a fixed set of words. */
export interface EnumScalar {
  readonly kind: 'enum';
  readonly values: readonly string[];
}

/** A value written as text and decoded by a codec. */
export interface CodecScalar {
  readonly kind: 'codec';
  readonly codec: Codec;
}

/** Any value that fits in an XML attribute. */
export type Scalar =
  StringScalar | IntegerScalar | NumberScalar | BooleanScalar | EnumScalar | CodecScalar;

/** A value written as an XML attribute: `<camera fps="5">` becomes `{ fps: 5 }`. */
export interface AttributeField extends Doc {
  readonly in: 'attribute';
  readonly key: string;
  readonly scalar: Scalar;
  readonly required: boolean;
  /** Used when the attribute is absent. Optional attributes without one stay absent. */
  readonly default?: string | number | boolean;
}

/** A nested object written as a child element, at most once. */
export interface ElementField extends Doc {
  readonly in: 'element';
  readonly key: string;
  readonly object: ObjectNode;
  /**
   * `required`: the element must be present.
   * `defaulted`: when absent, the object is built from its fields' defaults.
   * `optional`: when absent, the key is absent.
   */
  readonly presence: 'required' | 'defaulted' | 'optional';
}

/**
 * A list of objects, written either inside a wrapper element (`<cameras><camera/>…</cameras>`)
 * or as repeated child elements of the parent (`<schedule><window/><window/></schedule>`).
 * An absent list decodes as an empty array.
 */
export interface ListField extends Doc {
  readonly in: 'list';
  readonly key: string;
  /** The wrapper element's name; absent for repeated children. */
  readonly wrapper?: string;
  /** The element name of each item. */
  readonly item: string;
  readonly object: ObjectNode;
  readonly minItems: number;
  /** Only wrapped lists may set an upper bound, so that the XSD can say the same. */
  readonly maxItems?: number;
}

/** One field of an object. */
export type Field = AttributeField | ElementField | ListField;

/** An XML element with attributes and children, and a JSON object. */
export interface ObjectNode extends Doc {
  readonly kind: 'object';
  /** The TypeScript interface name, also used for the XSD complex type. */
  readonly typeName: string;
  readonly fields: readonly Field[];
  /**
   * Exact semantics for the reference docs, in Markdown blocks (paragraphs or lists) shown under
   * the object's section: what the runtime does with the values, beyond what one line can say.
   */
  readonly details?: readonly string[];
}

/** The root of a schema: the document element and its namespace. */
export interface SchemaRoot {
  readonly namespace: string;
  readonly element: string;
  readonly object: ObjectNode;
}

/** Builds an object node, checking the rules that keep the XSD exact. */
export function defineObject(node: Omit<ObjectNode, 'kind'>): ObjectNode {
  const repeated = node.fields.filter((f) => f.in === 'list' && f.wrapper === undefined);
  const single = node.fields.filter((f) => f.in === 'element' || (f.in === 'list' && f.wrapper));
  if (repeated.length > 0 && single.length > 0) {
    throw new Error(
      `schema: ${node.typeName} mixes repeated children with single ones, which an XSD cannot express exactly`,
    );
  }
  for (const f of repeated) {
    if (f.in === 'list' && (f.maxItems !== undefined || f.minItems > 0)) {
      throw new Error(`schema: ${node.typeName}.${f.key}: repeated children cannot be bounded`);
    }
  }
  const keys = new Set<string>();
  for (const f of node.fields) {
    if (keys.has(f.key)) throw new Error(`schema: ${node.typeName}.${f.key} is defined twice`);
    keys.add(f.key);
  }
  return { kind: 'object', ...node };
}

/** The XML element name of a child field (`undefined` for attributes). */
export function elementNameOf(field: Field): string | undefined {
  switch (field.in) {
    case 'attribute':
      return undefined;
    case 'element':
      return field.key;
    case 'list':
      return field.wrapper ?? field.item;
  }
}
