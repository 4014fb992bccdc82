/**
 * The plan: what a `Client` becomes, decided once for both the operator (Kubernetes objects)
 * and the local supervisor (processes), so that the two modes cannot drift apart. Pure: the
 * same spec always gives the same plan.
 */

import { createHash } from 'node:crypto';
import type { Camera, ClientSpec, Model } from '@vigie/config';

/** The model a camera runs: the bundled one, or a client's ONNX model. */
export type ModelPlan =
  | { readonly kind: 'default' }
  | {
      readonly kind: 'onnx';
      readonly id: string;
      readonly uri: string;
      readonly sha256: string;
      readonly format: Model['format'];
      readonly inputSize: number;
    };

/** One camera as a detector runs it. */
export interface CameraPlan {
  readonly id: string;
  readonly name: string;
  readonly stream: Camera['stream'];
  readonly analysis: Camera['analysis'];
  readonly model: ModelPlan;
  readonly sensitivity: ClientSpec['detection']['sensitivity'];
  readonly zones: Camera['zones'];
}

/** The config one detector shard reads, and reloads live when it changes. */
export interface DetectorConfig {
  readonly apiVersion: 'vigie.dev/v1alpha1';
  readonly kind: 'DetectorConfig';
  readonly client: string;
  readonly shard: string;
  readonly timezone: string;
  readonly schedule: ClientSpec['schedule'];
  readonly detection: ClientSpec['detection'];
  readonly alerts: { readonly cooldownSeconds: number };
  readonly privacy: ClientSpec['privacy'];
  readonly cameras: readonly CameraPlan[];
}

/** One detector shard: a group of cameras analysed by one worker. */
export interface ShardPlan {
  /** `shard-0`, `shard-1`, …: stable while the camera order and shard size stay the same. */
  readonly name: string;
  readonly cameraIds: readonly string[];
  readonly config: DetectorConfig;
  /**
   * A digest of what a running worker cannot take live: streams, models, analysis settings,
   * the shard's cameras and resources. When it changes the worker restarts; when only zones,
   * rules or the schedule change, the worker reloads its config and keeps running.
   */
  readonly rolloutKey: string;
}

/** Everything a client needs. */
export interface ClientPlan {
  readonly client: string;
  /** The tenant's own namespace. */
  readonly namespace: string;
  readonly shards: readonly ShardPlan[];
  /** Cameras that are configured but switched off; they get no shard. */
  readonly disabledCameras: readonly string[];
  /** Secrets the tenant must provide: camera credentials and webhook signing keys. */
  readonly secrets: readonly string[];
  readonly resources: ClientSpec['resources'];
}

/** The namespace of a client's workloads. */
export function namespaceOf(client: string): string {
  return `vigie-${client}`;
}

function modelPlan(spec: ClientSpec, camera: Camera): ModelPlan {
  const model = spec.models.find((m) => m.id === camera.model);
  if (model === undefined) return { kind: 'default' };
  return {
    kind: 'onnx',
    id: model.id,
    uri: model.uri,
    sha256: model.sha256,
    format: model.format,
    inputSize: model.inputSize,
  };
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * Plans a client: enabled cameras, in config order, grouped `camerasPerShard` at a time. Adding
 * a camera at the end touches only the last shard; editing one camera's zones restarts nothing.
 */
export function planClient(client: string, spec: ClientSpec): ClientPlan {
  const enabled = spec.cameras.filter((c) => c.enabled);
  const size = spec.resources.camerasPerShard;
  const shards: ShardPlan[] = [];
  for (let start = 0; start < enabled.length; start += size) {
    const name = `shard-${String(shards.length)}`;
    const cameras: CameraPlan[] = enabled.slice(start, start + size).map((camera) => ({
      id: camera.id,
      name: camera.name ?? camera.id,
      stream: camera.stream,
      analysis: camera.analysis,
      model: modelPlan(spec, camera),
      sensitivity: camera.sensitivity ?? spec.detection.sensitivity,
      zones: camera.zones,
    }));
    shards.push({
      name,
      cameraIds: cameras.map((c) => c.id),
      config: {
        apiVersion: 'vigie.dev/v1alpha1',
        kind: 'DetectorConfig',
        client,
        shard: name,
        timezone: spec.timezone,
        schedule: spec.schedule,
        detection: spec.detection,
        alerts: { cooldownSeconds: spec.alerts.cooldownSeconds },
        privacy: spec.privacy,
        cameras,
      },
      rolloutKey: digest({
        resources: spec.resources,
        cameras: cameras.map((c) => ({
          id: c.id,
          stream: c.stream,
          analysis: c.analysis,
          model: c.model,
        })),
      }),
    });
  }
  const secrets = new Set<string>();
  for (const camera of enabled) {
    if (camera.stream.credentialsSecret !== undefined) secrets.add(camera.stream.credentialsSecret);
  }
  for (const webhook of spec.alerts.webhooks) secrets.add(webhook.secretRef);
  return {
    client,
    namespace: namespaceOf(client),
    shards,
    disabledCameras: spec.cameras.filter((c) => !c.enabled).map((c) => c.id),
    secrets: [...secrets].sort(),
    resources: spec.resources,
  };
}
