/**
 * The `Client` status, computed purely from what the operator observed: the plan, the shard
 * Deployments and their pods, the Secrets the cameras need, and what applying did. Conditions
 * keep their lastTransitionTime while their status holds, so an unchanged world gives an equal
 * status and the operator writes nothing.
 */

import type {
  CameraHealthEntry,
  ClientCondition,
  OperatorStatus,
  ShardStatus,
} from '@vigie/config';
import { RUNTIME_CODES } from '@vigie/log';
import type { ClientPlan } from '@vigie/plan';
import type { CachedObject } from '../kube/informer.js';

/** One condition, as in metav1.Condition (the status contract of `@vigie/config`). */
export type Condition = ClientCondition;
/** One camera's health, written into the status by its detector. */
export type CameraHealth = CameraHealthEntry;
/** `Client.status` as the operator writes it. */
export type ClientStatus = OperatorStatus;
export type { ShardStatus };

/** A problem that makes the client Degraded: a stable reason and a message for people. */
export interface Problem {
  readonly reason: string;
  readonly message: string;
}

/**
 * The registry's model codes: a camera that its detector reports down with one of these has a
 * model problem (the client's to fix in its model settings), not a camera problem.
 */
const MODEL_CODES: ReadonlySet<string> = new Set(
  Object.keys(RUNTIME_CODES).filter((code) => code.startsWith('VIGIE_E_MODEL_')),
);

/** Everything the status is computed from. */
export interface Observation {
  readonly generation: number;
  readonly previous: readonly Condition[];
  /** The plan, or why the spec cannot be planned. */
  readonly plan: ClientPlan | { readonly invalid: string };
  /** Total cameras in the spec, enabled or not. */
  readonly cameras: number;
  /** The shard Deployments, by shard name. */
  readonly deployments: ReadonlyMap<string, CachedObject>;
  /** The client's detector pods. */
  readonly pods: readonly CachedObject[];
  /** Secrets the cameras reference that do not exist, with the cameras that need them. */
  readonly missingSecrets: readonly {
    readonly secret: string;
    readonly cameras: readonly string[];
  }[];
  /** Problems met while applying, such as a conflicting namespace or a refused object. */
  readonly applyProblems: readonly Problem[];
  /** Camera health as the detectors wrote it into `status.cameras`. */
  readonly cameraHealth: readonly CameraHealth[];
  /** The ingest token's digest, once its Secret is in the cache. */
  readonly ingestTokenSha256?: string | undefined;
  readonly now: Date;
}

/** Computes the status; equal observations give equal statuses. */
export function computeStatus(o: Observation): ClientStatus {
  const condition = (
    type: Condition['type'],
    status: Condition['status'],
    reason: string,
    message: string,
  ): Condition => {
    const before = o.previous.find((c) => c.type === type);
    return {
      type,
      status,
      observedGeneration: o.generation,
      lastTransitionTime:
        before !== undefined && before.status === status
          ? before.lastTransitionTime
          : o.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason,
      message: clip(message),
    };
  };

  if ('invalid' in o.plan) {
    const previousShards = o.previous.find((c) => c.type === 'Ready');
    return {
      observedGeneration: o.generation,
      conditions: [
        condition(
          'Accepted',
          'False',
          'InvalidSpec',
          `${o.plan.invalid}; the last good config keeps running`,
        ),
        // The workloads of the last good spec are left as they are, so Ready says nothing new.
        previousShards ??
          condition('Ready', 'Unknown', 'InvalidSpec', 'the spec cannot be planned'),
        condition('Degraded', 'True', 'InvalidSpec', o.plan.invalid),
      ],
      summary: { cameras: o.cameras, camerasUp: 0, shards: 0, shardsReady: 0 },
      shards: [],
      cameras: [],
    };
  }

  const plan = o.plan;
  const shards = plan.shards.map((shard): ShardStatus => {
    const deployment = o.deployments.get(shard.name);
    const readyReplicas = numberAt(deployment, 'status', 'readyReplicas');
    return {
      name: shard.name,
      cameras: shard.cameraIds,
      ready: deployment !== undefined && deploymentReady(deployment),
      readyReplicas,
    };
  });
  const ready = shards.filter((s) => s.ready).length;
  const enabled = plan.shards.reduce((n, s) => n + s.cameraIds.length, 0);

  const problems: Problem[] = [...o.applyProblems];
  for (const { secret, cameras } of o.missingSecrets) {
    problems.push({
      reason: 'SecretMissing',
      message: `Secret "${secret}" is missing from namespace ${plan.namespace} (needed by camera${cameras.length > 1 ? 's' : ''} ${cameras.join(', ')})`,
    });
  }
  problems.push(...podProblems(o.pods));
  // Cameras whose detector reports them down: a stream, credential or model problem.
  const planned = new Set(plan.shards.flatMap((s) => s.cameraIds));
  const health = o.cameraHealth.filter((c) => planned.has(c.id));
  for (const camera of health) {
    if (camera.state !== 'Down') continue;
    problems.push({
      reason: MODEL_CODES.has(camera.reason ?? '') ? 'ModelFailed' : 'CameraDown',
      message: `camera ${camera.id}: ${camera.reason ?? 'down'}${camera.message ? `: ${camera.message}` : ''}`,
    });
  }
  const camerasUp = health.filter((c) => c.state === 'Up').length;
  const reported = new Map(health.map((c) => [c.id, c]));
  const cameras: CameraHealth[] = [
    ...plan.shards
      .flatMap((s) => s.cameraIds)
      .map((id) => reported.get(id) ?? { id, state: 'Unknown' as const }),
    ...plan.disabledCameras.map((id) => ({ id, state: 'Disabled' as const })),
  ];
  for (const shard of plan.shards) {
    const deployment = o.deployments.get(shard.name);
    const progressing = conditionOf(deployment, 'Progressing');
    if (progressing?.status === 'False') {
      problems.push({
        reason: 'RolloutStuck',
        message: `${shard.name}: ${progressing.message ?? progressing.reason ?? 'rollout stuck'}`,
      });
    }
  }

  const readyCondition =
    ready === shards.length
      ? condition(
          'Ready',
          'True',
          shards.length === 0 ? 'NoEnabledCameras' : 'AllShardsReady',
          shards.length === 0
            ? 'no camera is enabled, so no detector runs'
            : `${String(enabled)} camera${enabled === 1 ? '' : 's'} in ${String(shards.length)} ready shard${shards.length === 1 ? '' : 's'}`,
        )
      : condition(
          'Ready',
          'False',
          problems[0]?.reason ?? 'ShardsNotReady',
          `${String(ready)} of ${String(shards.length)} shards ready; waiting for ${shards
            .filter((s) => !s.ready)
            .map((s) => s.name)
            .join(', ')}`,
        );
  const degraded =
    problems.length === 0
      ? condition('Degraded', 'False', 'AsExpected', 'no problem found')
      : condition(
          'Degraded',
          'True',
          problems[0]?.reason ?? 'Unknown',
          problems.map((p) => p.message).join('; '),
        );
  // A typed part rather than a spread literal, so that renaming the field is a compile error here.
  const token: Pick<ClientStatus, 'ingestTokenSha256'> =
    o.ingestTokenSha256 === undefined ? {} : { ingestTokenSha256: o.ingestTokenSha256 };
  return {
    observedGeneration: o.generation,
    conditions: [
      condition(
        'Accepted',
        'True',
        'Planned',
        `${String(enabled)} enabled camera${enabled === 1 ? '' : 's'} planned into ${String(shards.length)} shard${shards.length === 1 ? '' : 's'}${plan.disabledCameras.length > 0 ? `; ${String(plan.disabledCameras.length)} disabled` : ''}`,
      ),
      readyCondition,
      degraded,
    ],
    summary: { cameras: o.cameras, camerasUp, shards: shards.length, shardsReady: ready },
    shards,
    cameras,
    ...token,
  };
}

/** True when the Deployment has rolled out its current spec and every replica is available. */
export function deploymentReady(deployment: CachedObject): boolean {
  const generation = deployment.metadata.generation ?? 0;
  const replicas = numberAt(deployment, 'spec', 'replicas');
  return (
    numberAt(deployment, 'status', 'observedGeneration') >= generation &&
    numberAt(deployment, 'status', 'updatedReplicas') >= replicas &&
    numberAt(deployment, 'status', 'availableReplicas') >= replicas &&
    numberAt(deployment, 'status', 'replicas') === numberAt(deployment, 'status', 'updatedReplicas')
  );
}

const FAILING_WAIT_REASONS = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
]);

/** What the client's pods say is wrong: unschedulable, or a detector failing and why. */
function podProblems(pods: readonly CachedObject[]): Problem[] {
  const problems: Problem[] = [];
  for (const pod of [...pods].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    const status = (pod.status ?? {}) as {
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
      containerStatuses?: {
        name: string;
        state?: { waiting?: { reason?: string; message?: string } };
        lastState?: { terminated?: { reason?: string; message?: string; exitCode?: number } };
      }[];
    };
    const shard = pod.metadata.labels?.['vigie.dev/shard'] ?? pod.metadata.name;
    const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      problems.push({
        reason: 'Unschedulable',
        message: `${shard}: no node fits the detector pod: ${scheduled.message ?? 'unschedulable'}`,
      });
      continue;
    }
    for (const container of status.containerStatuses ?? []) {
      const waiting = container.state?.waiting;
      if (waiting?.reason === undefined || !FAILING_WAIT_REASONS.has(waiting.reason)) continue;
      // The detector writes why it stopped to its termination log (a stable VIGIE_E_* code).
      const last = container.lastState?.terminated?.message?.trim();
      problems.push({
        reason: 'DetectorFailing',
        message: `${shard}: ${waiting.reason}${last ? `: ${last}` : waiting.message ? `: ${waiting.message}` : ''}`,
      });
    }
  }
  return problems;
}

function conditionOf(
  object: CachedObject | undefined,
  type: string,
): { status: string; reason?: string; message?: string } | undefined {
  const conditions = (
    object?.status as { conditions?: { type: string; status: string }[] } | undefined
  )?.conditions;
  return conditions?.find((c) => c.type === type);
}

function numberAt(object: CachedObject | undefined, section: string, field: string): number {
  const value = (object?.[section] as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'number' ? value : 0;
}

function clip(message: string): string {
  return message.length > 4000 ? `${message.slice(0, 3999)}…` : message;
}
