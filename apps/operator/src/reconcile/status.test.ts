import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planClient } from '@vigie/plan';
import type { CachedObject } from '../kube/informer.js';
import { exampleSpec } from '../testing/harness.js';
import type { Condition, Observation } from './status.js';
import { computeStatus } from './status.js';

const spec = exampleSpec('full-store');
const plan = planClient('acme', { ...spec, resources: { ...spec.resources, camerasPerShard: 2 } });
const now = new Date('2026-11-26T10:00:00.123Z');

const deployment = (ready: boolean): CachedObject => ({
  metadata: { name: 'd', generation: 2 },
  spec: { replicas: 1 },
  status: ready
    ? {
        observedGeneration: 2,
        replicas: 1,
        updatedReplicas: 1,
        availableReplicas: 1,
        readyReplicas: 1,
      }
    : {
        observedGeneration: 2,
        replicas: 2,
        updatedReplicas: 1,
        availableReplicas: 1,
        readyReplicas: 1,
      },
});

function observe(overrides: Partial<Observation> = {}): Observation {
  return {
    generation: 3,
    previous: [],
    plan,
    cameras: 3,
    deployments: new Map([
      ['shard-0', deployment(true)],
      ['shard-1', deployment(true)],
    ]),
    pods: [],
    missingSecrets: [],
    applyProblems: [],
    cameraHealth: [],
    now,
    ...overrides,
  };
}

function condition(o: Observation, type: string): Condition {
  const found = computeStatus(o).conditions.find((c) => c.type === type);
  if (found === undefined) throw new Error(`no ${type} condition`);
  return found;
}

describe('computeStatus', () => {
  it('is Ready with per-shard counts when every Deployment has rolled out', () => {
    const status = computeStatus(observe());
    assert.equal(status.observedGeneration, 3);
    assert.deepEqual(status.summary, { cameras: 3, camerasUp: 0, shards: 2, shardsReady: 2 });
    assert.deepEqual(
      status.shards.map((s) => [s.name, s.cameras.length, s.ready]),
      [
        ['shard-0', 2, true],
        ['shard-1', 1, true],
      ],
    );
    assert.deepEqual(
      status.conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ['Accepted', 'True', 'Planned'],
        ['Ready', 'True', 'AllShardsReady'],
        ['Degraded', 'False', 'AsExpected'],
      ],
    );
    assert.equal(status.conditions[0]?.lastTransitionTime, '2026-11-26T10:00:00Z');
  });

  it('is not Ready while a rollout still has old pods, or a Deployment is missing', () => {
    assert.equal(
      condition(
        observe({
          deployments: new Map([
            ['shard-0', deployment(true)],
            ['shard-1', deployment(false)],
          ]),
        }),
        'Ready',
      ).status,
      'False',
    );
    const missing = condition(
      observe({ deployments: new Map([['shard-0', deployment(true)]]) }),
      'Ready',
    );
    assert.equal(missing.reason, 'ShardsNotReady');
    assert.match(missing.message, /1 of 2 shards ready; waiting for shard-1/);
  });

  it('names the missing Secret and the cameras that need it', () => {
    const degraded = condition(
      observe({ missingSecrets: [{ secret: 'acme-cameras', cameras: ['entrance', 'stockroom'] }] }),
      'Degraded',
    );
    assert.equal(degraded.status, 'True');
    assert.equal(degraded.reason, 'SecretMissing');
    assert.match(
      degraded.message,
      /Secret "acme-cameras" is missing from namespace vigie-acme \(needed by cameras entrance, stockroom\)/,
    );
  });

  it('reports unschedulable pods and failing detectors with their reasons', () => {
    const pods: CachedObject[] = [
      {
        metadata: { name: 'p0', labels: { 'vigie.dev/shard': 'shard-0' } },
        status: {
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/2 nodes are available: 2 Insufficient nvidia.com/gpu.',
            },
          ],
        },
      },
      {
        metadata: { name: 'p1', labels: { 'vigie.dev/shard': 'shard-1' } },
        status: {
          containerStatuses: [
            {
              name: 'detector',
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: {
                terminated: { exitCode: 1, message: 'VIGIE_E_MODEL_DIGEST: sha256 mismatch\n' },
              },
            },
          ],
        },
      },
    ];
    const degraded = condition(observe({ pods }), 'Degraded');
    assert.equal(degraded.reason, 'Unschedulable');
    assert.match(
      degraded.message,
      /shard-0: no node fits the detector pod: 0\/2 nodes are available: 2 Insufficient nvidia\.com\/gpu\./,
    );
    assert.match(
      degraded.message,
      /shard-1: CrashLoopBackOff: VIGIE_E_MODEL_DIGEST: sha256 mismatch/,
    );
  });

  it('counts the cameras detectors report up, and is Degraded by those they report down', () => {
    const [first, second, third] = plan.shards.flatMap((s) => s.cameraIds);
    assert.ok(first && second && third);
    const status = computeStatus(
      observe({
        cameraHealth: [
          { id: first, state: 'Up' },
          { id: second, state: 'Down', reason: 'VIGIE_E_STREAM_AUTH', message: '401 Unauthorized' },
          {
            id: third,
            state: 'Down',
            reason: 'VIGIE_E_MODEL_SHA256_MISMATCH',
            message: 'has SHA-256 …',
          },
          { id: 'removed-camera', state: 'Up' },
        ],
      }),
    );
    assert.equal(status.summary.camerasUp, 1, 'cameras no longer planned do not count');
    assert.deepEqual(
      status.cameras.map((c) => [c.id, c.state]),
      [
        [first, 'Up'],
        [second, 'Down'],
        [third, 'Down'],
      ],
    );
    const degraded = status.conditions.find((c) => c.type === 'Degraded');
    assert.equal(degraded?.status, 'True');
    assert.equal(degraded.reason, 'CameraDown');
    assert.equal(
      degraded.message,
      `camera ${second}: VIGIE_E_STREAM_AUTH: 401 Unauthorized; camera ${third}: VIGIE_E_MODEL_SHA256_MISMATCH: has SHA-256 …`,
    );
    assert.equal(
      status.conditions.find((c) => c.type === 'Ready')?.status,
      'True',
      'the shards still run',
    );
  });

  it('tells a model problem from a camera problem by the code the detector reports', () => {
    const [first] = plan.shards.flatMap((s) => s.cameraIds);
    assert.ok(first);
    const reasonFor = (reason: string): string | undefined =>
      computeStatus(
        observe({ cameraHealth: [{ id: first, state: 'Down', reason }] }),
      ).conditions.find((c) => c.type === 'Degraded')?.reason;
    assert.equal(reasonFor('VIGIE_E_MODEL_UNREACHABLE'), 'ModelFailed');
    assert.equal(reasonFor('VIGIE_E_MODEL_INVALID'), 'ModelFailed');
    assert.equal(reasonFor('VIGIE_E_CAMERA_SECRET'), 'CameraDown');
    assert.equal(reasonFor('VIGIE_E_STREAM_UNREACHABLE'), 'CameraDown');
  });

  it('keeps lastTransitionTime while a condition holds, so an unchanged world gives an equal status', () => {
    const first = computeStatus(observe());
    const later = computeStatus(
      observe({ previous: first.conditions, now: new Date('2026-11-26T11:00:00Z') }),
    );
    assert.deepEqual(later, first);
    const changed = computeStatus(
      observe({
        previous: first.conditions,
        now: new Date('2026-11-26T11:00:00Z'),
        missingSecrets: [{ secret: 's', cameras: ['c'] }],
      }),
    );
    assert.equal(
      changed.conditions.find((c) => c.type === 'Degraded')?.lastTransitionTime,
      '2026-11-26T11:00:00Z',
    );
    assert.equal(
      changed.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime,
      '2026-11-26T10:00:00Z',
    );
  });

  it('refuses an invalid spec and leaves Ready as it was', () => {
    const first = computeStatus(observe());
    const status = computeStatus(
      observe({ previous: first.conditions, plan: { invalid: '1 problem in the spec' } }),
    );
    assert.deepEqual(
      status.conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ['Accepted', 'False', 'InvalidSpec'],
        ['Ready', 'True', 'AllShardsReady'],
        ['Degraded', 'True', 'InvalidSpec'],
      ],
    );
    assert.match(status.conditions[0]?.message ?? '', /the last good config keeps running/);
  });

  it('is Ready with nothing to run when every camera is disabled', () => {
    const none = planClient('acme', {
      ...spec,
      cameras: spec.cameras.map((c) => ({ ...c, enabled: false })),
    });
    const status = computeStatus(observe({ plan: none, deployments: new Map() }));
    assert.equal(status.conditions.find((c) => c.type === 'Ready')?.reason, 'NoEnabledCameras');
    assert.match(
      status.conditions[0]?.message ?? '',
      /0 enabled cameras planned into 0 shards; 3 disabled/,
    );
  });
});
