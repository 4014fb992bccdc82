import type { Field, Scalar, SchemaRoot } from '../schema/dsl.js';
import { alwaysPresent, collectObjects, GENERATED_BANNER } from './walk.js';

/** The TypeScript declarations of every object in the schema. */
export function generateTypes(schema: SchemaRoot): string {
  const lines = [`// ${GENERATED_BANNER}`, ''];
  for (const node of collectObjects(schema.object)) {
    lines.push(`/**`, ` * ${node.title}: ${node.description}`, ` */`);
    lines.push(`export interface ${node.typeName} {`);
    for (const field of node.fields) {
      lines.push(`  /** ${fieldDoc(field)} */`);
      const optional = alwaysPresent(field) ? '' : '?';
      lines.push(`  readonly ${field.key}${optional}: ${fieldType(field)};`);
    }
    lines.push('}', '');
  }
  return lines.join('\n');
}

function fieldDoc(field: Field): string {
  const parts = [`${field.title}: ${field.description}`];
  if (field.in === 'attribute' && field.default !== undefined) {
    parts.push(`Default: \`${String(field.default)}\`.`);
  }
  return parts.join(' ').replace(/\*\//g, '*\\/');
}

function fieldType(field: Field): string {
  switch (field.in) {
    case 'attribute':
      return scalarType(field.scalar);
    case 'element':
      return field.object.typeName;
    case 'list':
      return `readonly ${field.object.typeName}[]`;
  }
}

function scalarType(scalar: Scalar): string {
  switch (scalar.kind) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return scalar.values.map((v) => `'${v}'`).join(' | ');
    case 'codec':
      return scalar.codec.tsType;
  }
}
