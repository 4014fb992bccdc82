import type { AttributeField, Doc, Field, ObjectNode, Scalar, SchemaRoot } from '../schema/dsl.js';
import { collectCodecs, collectObjects, GENERATED_BANNER } from './walk.js';

/**
 * The XSD of the schema, for editors and for `xmllint --schema`. It is meant to accept the same
 * documents as Vigie's schema checks (a test holds the two to that with xmllint); semantic
 * checks (polygon geometry, references, schedules) are Vigie's alone.
 */
export function generateXsd(schema: SchemaRoot): string {
  const out: string[] = [];
  const push = (depth: number, line: string) => out.push(`${'  '.repeat(depth)}${line}`);
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push(`<!-- ${GENERATED_BANNER} -->`);
  out.push(
    `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:v="${schema.namespace}" targetNamespace="${schema.namespace}" elementFormDefault="qualified" attributeFormDefault="unqualified">`,
  );
  push(1, `<xs:element name="${schema.element}" type="v:${schema.object.typeName}">`);
  annotation(push, 2, schema.object);
  push(1, '</xs:element>');

  for (const node of collectObjects(schema.object)) {
    push(1, `<xs:complexType name="${node.typeName}">`);
    annotation(push, 2, node);
    children(push, 2, node);
    for (const field of node.fields) {
      if (field.in === 'attribute') attribute(push, 2, field);
    }
    push(1, '</xs:complexType>');
  }

  for (const codec of collectCodecs(schema.object)) {
    push(1, `<xs:simpleType name="${codec.name}">`);
    push(
      2,
      `<xs:annotation><xs:documentation>${escape(stripMarkdown(codec.syntax))}</xs:documentation></xs:annotation>`,
    );
    push(2, `<xs:restriction base="${codec.xsdBase ?? 'xs:token'}">`);
    push(3, `<xs:pattern value="${escape(codec.xsdPattern)}"/>`);
    push(2, '</xs:restriction>');
    push(1, '</xs:simpleType>');
  }
  out.push('</xs:schema>', '');
  return out.join('\n');
}

type Push = (depth: number, line: string) => void;

function children(push: Push, depth: number, node: ObjectNode): void {
  const elements = node.fields.filter(
    (f): f is Exclude<Field, AttributeField> => f.in !== 'attribute',
  );
  if (elements.length === 0) return;
  const repeated = elements.every((f) => f.in === 'list' && f.wrapper === undefined);
  if (repeated) {
    push(depth, '<xs:choice minOccurs="0" maxOccurs="unbounded">');
    for (const f of elements) {
      if (f.in === 'list')
        push(depth + 1, `<xs:element name="${f.item}" type="v:${f.object.typeName}"/>`);
    }
    push(depth, '</xs:choice>');
    return;
  }
  push(depth, '<xs:all>');
  for (const f of elements) {
    if (f.in === 'element') {
      const min = f.presence === 'required' ? '1' : '0';
      push(
        depth + 1,
        `<xs:element name="${f.key}" type="v:${f.object.typeName}" minOccurs="${min}">`,
      );
      annotation(push, depth + 2, f);
      push(depth + 1, '</xs:element>');
    } else if (f.wrapper !== undefined) {
      push(depth + 1, `<xs:element name="${f.wrapper}" minOccurs="${f.minItems > 0 ? '1' : '0'}">`);
      annotation(push, depth + 2, f);
      push(depth + 2, '<xs:complexType>');
      push(depth + 3, '<xs:sequence>');
      const max = f.maxItems === undefined ? 'unbounded' : String(f.maxItems);
      push(
        depth + 4,
        `<xs:element name="${f.item}" type="v:${f.object.typeName}" minOccurs="${String(f.minItems)}" maxOccurs="${max}"/>`,
      );
      push(depth + 3, '</xs:sequence>');
      push(depth + 2, '</xs:complexType>');
      push(depth + 1, '</xs:element>');
    }
  }
  push(depth, '</xs:all>');
}

function attribute(push: Push, depth: number, field: AttributeField): void {
  const use = field.required ? ' use="required"' : '';
  const def = field.default === undefined ? '' : ` default="${escape(String(field.default))}"`;
  const simple = simpleTypeRef(field.scalar);
  if (simple !== undefined) {
    push(depth, `<xs:attribute name="${field.key}" type="${simple}"${use}${def}>`);
    annotation(push, depth + 1, field);
    push(depth, '</xs:attribute>');
    return;
  }
  push(depth, `<xs:attribute name="${field.key}"${use}${def}>`);
  annotation(push, depth + 1, field);
  push(depth + 1, '<xs:simpleType>');
  restriction(push, depth + 2, field.scalar);
  push(depth + 1, '</xs:simpleType>');
  push(depth, '</xs:attribute>');
}

function simpleTypeRef(scalar: Scalar): string | undefined {
  if (scalar.kind === 'boolean') return 'xs:boolean';
  if (scalar.kind === 'codec') return `v:${scalar.codec.name}`;
  return undefined;
}

function restriction(push: Push, depth: number, scalar: Scalar): void {
  switch (scalar.kind) {
    case 'string':
      push(depth, '<xs:restriction base="xs:string">');
      if (scalar.minLength !== undefined)
        push(depth + 1, `<xs:minLength value="${String(scalar.minLength)}"/>`);
      push(depth + 1, `<xs:maxLength value="${String(scalar.maxLength)}"/>`);
      if (scalar.pattern !== undefined)
        push(depth + 1, `<xs:pattern value="${escape(scalar.pattern)}"/>`);
      break;
    case 'integer':
    case 'number':
      push(
        depth,
        `<xs:restriction base="${scalar.kind === 'integer' ? 'xs:integer' : 'xs:decimal'}">`,
      );
      push(depth + 1, `<xs:minInclusive value="${String(scalar.minimum)}"/>`);
      push(depth + 1, `<xs:maxInclusive value="${String(scalar.maximum)}"/>`);
      break;
    case 'enum':
      push(depth, '<xs:restriction base="xs:string">');
      for (const v of scalar.values) push(depth + 1, `<xs:enumeration value="${escape(v)}"/>`);
      break;
    case 'boolean':
    case 'codec':
      throw new Error('unreachable: named simple types are referenced, not restricted');
  }
  push(depth, '</xs:restriction>');
}

function annotation(push: Push, depth: number, doc: Doc): void {
  push(
    depth,
    `<xs:annotation><xs:documentation>${escape(`${doc.title}: ${stripMarkdown(doc.description)}`)}</xs:documentation></xs:annotation>`,
  );
}

function stripMarkdown(text: string): string {
  return text.replace(/`/g, '');
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
