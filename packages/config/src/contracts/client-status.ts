/**
 * The `Client` status: what the operator observed, and the camera health each shard's detector
 * reports. Defined once, here, beside the spec: the CRD's status schema is generated from these
 * schemas (`buildClientCrd`), and the operator, the detectors and the console use the types
 * derived from them, so that renaming a field is a compile error wherever it is read or written.
 *
 * Several field managers write the status (the operator its own fields, each detector its
 * shard's entry of `detectors`, by server-side apply), so the top-level fields are optional in
 * the schema; the parts one manager always writes whole (a condition, a shard, the summary)
 * require their fields.
 */

import {
  FormatRegistry,
  Type,
  type Static,
  type TLiteral,
  type TSchema,
  type TUnion,
} from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** One of these strings; a CRD writes it as an `enum` (see {@link openApiOf}). */
function stringEnum<const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((value: T[number]) => Type.Literal(value)),
    options,
  );
}

/** A map from names to values; a CRD writes it with `additionalProperties` (see {@link openApiOf}). */
function stringMap<T extends TSchema>(value: T, options: Record<string, unknown> = {}) {
  return Type.Record(Type.String(), value, options);
}

/** What a value read from the status is: nothing in it may be changed in place. */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The condition types the operator writes. */
export const CONDITION_TYPES = ['Accepted', 'Ready', 'Degraded'] as const;

/** A camera's state in the status: `Disabled` in the config, `Unknown` until its detector reports. */
export const CAMERA_STATES = ['Up', 'Down', 'Disabled', 'Unknown'] as const;

/** The schema of one condition, as in metav1.Condition. */
export const conditionSchema = Type.Object(
  {
    type: stringEnum(CONDITION_TYPES, {
      maxLength: 316,
      description: 'Accepted, Ready or Degraded.',
    }),
    status: stringEnum(['True', 'False', 'Unknown'] as const),
    observedGeneration: Type.Optional(Type.Integer({ format: 'int64', minimum: 0 })),
    lastTransitionTime: Type.String({ format: 'date-time' }),
    reason: Type.String({
      maxLength: 1024,
      pattern: '^(?:[A-Za-z](?:[A-Za-z0-9_,:]*[A-Za-z0-9_])?)$',
    }),
    message: Type.String({ maxLength: 32768 }),
  },
  { description: 'A condition, as in metav1.Condition.' },
);

/** The schema of one camera's health entry, as detectors report it and the operator gathers it. */
export const cameraHealthSchema = Type.Object({
  id: Type.String(),
  state: stringEnum(CAMERA_STATES),
  reason: Type.Optional(Type.String({ description: 'The error code when Down.' })),
  message: Type.Optional(Type.String()),
  lastFrameTime: Type.Optional(Type.String({ format: 'date-time' })),
  reconnects: Type.Optional(Type.Integer({ format: 'int64' })),
});

/** The schema of one shard's readiness, from its detector Deployment. */
export const shardStatusSchema = Type.Object({
  name: Type.String(),
  cameras: Type.Array(Type.String(), { 'x-kubernetes-list-type': 'atomic' }),
  ready: Type.Boolean(),
  readyReplicas: Type.Integer(),
});

/** The schema of one shard's report, which its detector alone writes. */
export const detectorReportSchema = Type.Object({
  cameras: Type.Optional(
    Type.Array(cameraHealthSchema, {
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['id'],
    }),
  ),
});

/** The schema of `Client.status`, from which the CRD's status schema is generated. */
export const clientStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'The spec generation this status describes.' }),
    ),
    conditions: Type.Optional(
      Type.Array(conditionSchema, {
        description: 'Accepted, Ready and Degraded, with reasons.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
    summary: Type.Optional(
      Type.Object(
        {
          cameras: Type.Integer({ description: 'Cameras configured.' }),
          camerasUp: Type.Integer({ description: 'Cameras delivering frames.' }),
          shards: Type.Integer({ description: 'Detector shards planned.' }),
          shardsReady: Type.Integer({ description: 'Detector shards ready.' }),
        },
        { description: 'Counts shown by kubectl get clients.' },
      ),
    ),
    ingestTokenSha256: Type.Optional(
      Type.String({
        description:
          "The SHA-256 of the tenant's ingest token (the vigie-ingest-token Secret), so that the console can check detectors' posts without reading Secrets.",
      }),
    ),
    shards: Type.Optional(
      Type.Array(shardStatusSchema, {
        description: 'Per-shard readiness, from the detector Deployments.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
    ),
    cameras: Type.Optional(
      Type.Array(cameraHealthSchema, {
        description:
          "Per-camera health: the detectors' reports, gathered by the operator, with Disabled and Unknown filled in.",
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['id'],
      }),
    ),
    detectors: Type.Optional(
      stringMap(detectorReportSchema, {
        description:
          "Camera health as each shard's detector reports it, by shard name. Each detector writes only its own entry (server-side apply, field manager vigie-detector-<shard>); the operator reads them into cameras.",
      }),
    ),
  },
  { description: "What the operator observed, and the detectors' camera reports under detectors." },
);

/** `Client.status`, as any reader sees it: each part is present once its writer wrote it. */
export type ClientStatus = DeepReadonly<Static<typeof clientStatusSchema>>;
/** One condition of the status. */
export type ClientCondition = DeepReadonly<Static<typeof conditionSchema>>;
/** One camera's health entry in the status. */
export type CameraHealthEntry = DeepReadonly<Static<typeof cameraHealthSchema>>;
/** One shard's readiness in the status. */
export type ShardStatus = DeepReadonly<Static<typeof shardStatusSchema>>;
/** One shard's report, under `status.detectors`. */
export type DetectorReport = DeepReadonly<Static<typeof detectorReportSchema>>;

/** The status as the operator writes it: its own fields, whole, on every status update. */
export type OperatorStatus = ClientStatus &
  Required<
    Pick<ClientStatus, 'observedGeneration' | 'conditions' | 'summary' | 'shards' | 'cameras'>
  >;

/** What {@link checkClientStatus} found: the status, or where it breaks the schema. */
export type StatusCheck =
  | { readonly ok: true; readonly status: ClientStatus }
  | { readonly ok: false; readonly problems: readonly string[] };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Checks a status read from the cluster against the schema the CRD was generated from. */
export function checkClientStatus(value: unknown): StatusCheck {
  // The library keeps formats in a registry of its own; registered on first use, not at import.
  if (!FormatRegistry.Has('date-time')) {
    FormatRegistry.Set('date-time', (v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)));
  }
  if (Value.Check(clientStatusSchema, value)) return { ok: true, status: value };
  return {
    ok: false,
    problems: [...Value.Errors(clientStatusSchema, value)].map(
      (e) => `${e.path || '/'}: ${e.message}`,
    ),
  };
}

/**
 * The schema as plain JSON for a CRD, in the structural subset Kubernetes accepts: without the
 * library's own (symbol) keys, unions of strings as `enum`, string maps as
 * `additionalProperties`, and `type` first in every object, as people write schemas by hand.
 */
export function openApiOf(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const { anyOf, patternProperties, ...rest } = value as Record<string, unknown>;
    if (Array.isArray(anyOf)) {
      const values = anyOf.map((item) => (item as { const?: unknown }).const);
      if (!values.every((v): v is string => typeof v === 'string')) {
        throw new Error('only unions of string literals have a CRD form');
      }
      return { type: 'string', ...rest, enum: values };
    }
    if (patternProperties !== undefined) {
      const [item, ...more] = Object.values(patternProperties as Record<string, unknown>);
      if (item === undefined || more.length > 0)
        throw new Error('only string maps have a CRD form');
      return { type: 'object', ...rest, additionalProperties: item };
    }
    if (!('type' in rest)) return rest;
    const { type, ...others } = rest;
    return { type, ...others };
  }) as Record<string, unknown>;
}
