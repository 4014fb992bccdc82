import type { Codec, Field, ObjectNode } from '../schema/dsl.js';

/** Every object type reachable from `root`, each once, in depth-first order from the root. */
export function collectObjects(root: ObjectNode): ObjectNode[] {
  const seen = new Map<string, ObjectNode>();
  const visit = (node: ObjectNode) => {
    const existing = seen.get(node.typeName);
    if (existing !== undefined) {
      if (existing !== node)
        throw new Error(`schema: two different types are named ${node.typeName}`);
      return;
    }
    seen.set(node.typeName, node);
    for (const field of node.fields) {
      if (field.in !== 'attribute') visit(field.object);
    }
  };
  visit(root);
  return [...seen.values()];
}

/** Every codec used under `root`, each once. */
export function collectCodecs(root: ObjectNode): Codec[] {
  const codecs = new Map<string, Codec>();
  for (const node of collectObjects(root)) {
    for (const field of node.fields) {
      if (field.in === 'attribute' && field.scalar.kind === 'codec') {
        codecs.set(field.scalar.codec.name, field.scalar.codec);
      }
    }
  }
  return [...codecs.values()];
}

/** Whether a field always has a value once decoded (required, defaulted, or a list). */
export function alwaysPresent(field: Field): boolean {
  switch (field.in) {
    case 'attribute':
      return field.required || field.default !== undefined;
    case 'element':
      return field.presence !== 'optional';
    case 'list':
      return true;
  }
}

/** The banner that marks a generated file. */
export const GENERATED_BANNER =
  'Generated from packages/config/src/schema/client-schema.ts by `npm run generate`. Do not edit.';
