import { PROBLEM_CODES } from '../problems/codes.js';
import type { Field, ObjectNode, Scalar, SchemaRoot } from '../schema/dsl.js';
import { alwaysPresent, GENERATED_BANNER } from './walk.js';

/** The reference page of the config format and its problem codes, in Markdown. */
export function generateReference(schema: SchemaRoot): string {
  const out: string[] = [];
  out.push(`<!-- ${GENERATED_BANNER} -->`, '');
  out.push('# Client config reference', '');
  out.push(
    'A client config is one XML file per store (or chain of stores), dropped into the bucket under',
    '`client-configs/`. This page lists every element and attribute, generated from the schema that',
    'Vigie validates against. The XSD for editors is `packages/config/schema/client.xsd`; the',
    'examples in `examples/` show each feature.',
    '',
    '```xml',
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<${schema.element} xmlns="${schema.namespace}"`,
    '        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    `        xsi:schemaLocation="${schema.namespace} ../packages/config/schema/client.xsd"`,
    '        id="acme-paris-11" name="ACME Paris 11e" timezone="Europe/Paris">',
    '  …',
    `</${schema.element}>`,
    '```',
    '',
    'Every optional value has a default, shown below; the `Client` resource always holds the',
    'normalised form, with the defaults filled in. `vigie render FILE` shows it.',
    '',
  );

  const visit = (node: ObjectNode, xmlPath: string, jsonPath: string, seen: Set<string>) => {
    if (seen.has(node.typeName)) return;
    seen.add(node.typeName);
    out.push(`## \`${xmlPath}\``, '');
    out.push(`**${node.title}.** ${node.description}`, '');
    for (const block of node.details ?? []) out.push(block, '');
    out.push(`In the \`Client\` resource: \`${jsonPath}\`.`, '');
    const attributes = node.fields.filter((f) => f.in === 'attribute');
    if (attributes.length > 0) {
      out.push(
        '| Attribute | Type | Required or default | Description |',
        '| --- | --- | --- | --- |',
      );
      for (const f of attributes) {
        const need = f.required
          ? 'required'
          : f.default !== undefined
            ? `\`${String(f.default)}\``
            : 'optional';
        out.push(
          `| \`${f.key}\` | ${scalarDoc(f.scalar)} | ${need} | **${f.title}.** ${f.description} |`,
        );
      }
      out.push('');
    }
    const elements = node.fields.filter((f) => f.in !== 'attribute');
    if (elements.length > 0) {
      out.push('| Child element | Occurs | Description |', '| --- | --- | --- |');
      for (const f of elements)
        out.push(`| ${childName(f)} | ${occurs(f)} | **${f.title}.** ${f.description} |`);
      out.push('');
    }
    for (const f of elements) {
      if (f.in === 'element')
        visit(f.object, `${xmlPath} > ${f.key}`, `${jsonPath}.${f.key}`, seen);
      if (f.in === 'list') {
        const itemPath =
          f.wrapper === undefined
            ? `${xmlPath} > ${f.item}`
            : `${xmlPath} > ${f.wrapper} > ${f.item}`;
        visit(f.object, itemPath, `${jsonPath}.${f.key}[]`, seen);
      }
    }
  };
  visit(schema.object, schema.element, 'spec', new Set());

  out.push('## Problem codes', '');
  out.push(
    '`vigie validate` and the config function report each problem as',
    '`FILE:LINE:COL: CODE message`. Codes are stable: scripts may match on them.',
    'Schema problems are reported first; semantic checks run once the file follows the schema.',
    '',
    '| Code | Meaning |',
    '| --- | --- |',
  );
  for (const [code, meaning] of Object.entries(PROBLEM_CODES))
    out.push(`| \`${code}\` | ${meaning} |`);
  out.push('');
  return out.join('\n');
}

function childName(field: Exclude<Field, { in: 'attribute' }>): string {
  if (field.in === 'list' && field.wrapper !== undefined)
    return `\`<${field.wrapper}>\` of \`<${field.item}>\``;
  if (field.in === 'list') return `\`<${field.item}>\``;
  return `\`<${field.key}>\``;
}

function occurs(field: Exclude<Field, { in: 'attribute' }>): string {
  if (field.in === 'element') {
    return field.presence === 'required'
      ? 'once, required'
      : alwaysPresent(field)
        ? 'at most once (defaults apply)'
        : 'at most once';
  }
  const max = field.maxItems === undefined ? 'any number' : `up to ${String(field.maxItems)}`;
  return field.minItems > 0
    ? `${String(field.minItems)} to ${max.replace('up to ', '')}`
    : `0, ${max}`;
}

function scalarDoc(scalar: Scalar): string {
  switch (scalar.kind) {
    case 'string':
      return scalar.patternHint ?? `text, up to ${String(scalar.maxLength)} characters`;
    case 'integer':
      return `whole number, ${String(scalar.minimum)} to ${String(scalar.maximum)}`;
    case 'number':
      return `decimal, ${String(scalar.minimum)} to ${String(scalar.maximum)}`;
    case 'boolean':
      return '`true` or `false`';
    case 'enum':
      return scalar.values.map((v) => `\`${v}\``).join(', ');
    case 'codec':
      return scalar.codec.syntax;
  }
}
