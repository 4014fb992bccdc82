import type { Field, ObjectNode, Scalar, SchemaRoot } from '../schema/dsl.js';
import { alwaysPresent } from './walk.js';
import { clientStatusSchema, openApiOf } from '../contracts/client-status.js';

/** A JSON Schema (OpenAPI v3 subset) as plain data. */
export type JsonSchema = Record<string, unknown>;

/** The API group, version and names of the `Client` resource. */
export const CLIENT_RESOURCE = {
  group: 'vigie.dev',
  version: 'v1alpha1',
  kind: 'Client',
  listKind: 'ClientList',
  plural: 'clients',
  singular: 'client',
  shortNames: ['vcl'],
} as const;

/** The structural OpenAPI schema of a decoded object, for the CRD. */
function objectSchema(node: ObjectNode, omit: readonly string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const field of node.fields) {
    if (omit.includes(field.key)) continue;
    properties[field.key] = fieldSchema(field);
    if (alwaysPresent(field)) required.push(field.key);
  }
  return {
    type: 'object',
    description: `${node.title}: ${node.description}`,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

function fieldSchema(field: Field): JsonSchema {
  const description = `${field.title}: ${field.description}`;
  switch (field.in) {
    case 'attribute':
      return { description, ...scalarSchema(field.scalar) };
    case 'element':
      return { ...objectSchema(field.object), description };
    case 'list': {
      const keyed = field.object.fields.some(
        (f) => f.in === 'attribute' && f.key === 'id' && f.required,
      );
      return {
        type: 'array',
        description,
        ...(field.minItems > 0 ? { minItems: field.minItems } : {}),
        ...(field.maxItems !== undefined ? { maxItems: field.maxItems } : {}),
        items: objectSchema(field.object),
        ...(keyed
          ? { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] }
          : { 'x-kubernetes-list-type': 'atomic' }),
      };
    }
  }
}

function scalarSchema(scalar: Scalar): JsonSchema {
  switch (scalar.kind) {
    case 'string':
      return {
        type: 'string',
        ...(scalar.minLength !== undefined ? { minLength: scalar.minLength } : {}),
        maxLength: scalar.maxLength,
        ...(scalar.pattern !== undefined ? { pattern: `^(?:${scalar.pattern})$` } : {}),
      };
    case 'integer':
    case 'number':
      return { type: scalar.kind, minimum: scalar.minimum, maximum: scalar.maximum };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'string', enum: [...scalar.values] };
    case 'codec':
      return { ...scalar.codec.openApi };
  }
}

const sourceSchema: JsonSchema = {
  type: 'object',
  description: 'Source: the bucket object this spec was read from.',
  required: ['bucket', 'object', 'generation'],
  properties: {
    bucket: {
      type: 'string',
      minLength: 1,
      maxLength: 222,
      description: 'The bucket name (or `local` in local mode).',
    },
    object: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: 'The object name, such as `client-configs/acme.xml`.',
    },
    generation: {
      type: 'string',
      pattern: '^[0-9]+$',
      maxLength: 20,
      description: 'The object generation that was applied.',
    },
  },
};

/** The `Client` CustomResourceDefinition, with its schema generated from `schema`. */
export function buildClientCrd(schema: SchemaRoot): JsonSchema {
  const spec = objectSchema(schema.object, ['id']);
  const properties = { ...(spec.properties as Record<string, JsonSchema>), source: sourceSchema };
  const ready = '.status.conditions[?(@.type=="Ready")]';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${CLIENT_RESOURCE.plural}.${CLIENT_RESOURCE.group}`,
      labels: { 'app.kubernetes.io/part-of': 'vigie' },
    },
    spec: {
      group: CLIENT_RESOURCE.group,
      scope: 'Cluster',
      names: {
        kind: CLIENT_RESOURCE.kind,
        listKind: CLIENT_RESOURCE.listKind,
        plural: CLIENT_RESOURCE.plural,
        singular: CLIENT_RESOURCE.singular,
        shortNames: [...CLIENT_RESOURCE.shortNames],
        categories: ['vigie'],
      },
      versions: [
        {
          name: CLIENT_RESOURCE.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Store', type: 'string', jsonPath: '.spec.name' },
            { name: 'Cameras', type: 'integer', jsonPath: '.status.summary.cameras' },
            { name: 'Up', type: 'integer', jsonPath: '.status.summary.camerasUp' },
            { name: 'Ready', type: 'string', jsonPath: `${ready}.status` },
            { name: 'Reason', type: 'string', jsonPath: `${ready}.reason` },
            {
              name: 'Generation',
              type: 'string',
              jsonPath: '.spec.source.generation',
              priority: 1,
            },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description:
                'A store, or a chain of stores, protected by Vigie. Applied from an XML config by the config function.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: { ...spec, properties, description: 'The normalised client config.' },
                status: openApiOf(clientStatusSchema),
              },
            },
          },
        },
      ],
    },
  };
}
