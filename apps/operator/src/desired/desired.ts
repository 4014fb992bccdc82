/**
 * `desired(client)`: every object a `Client` should own, computed from the shared plan, the
 * operator's settings and what it observed of the cluster (monitoring APIs, the API server's
 * endpoints). Pure: no I/O, and the same inputs always give the same objects, so applying them
 * is idempotent.
 * The reconciler applies them with server-side apply; owner references make garbage collection
 * remove them with the Client.
 */

import { createHash } from 'node:crypto';
import type { ClientSpec } from '@vigie/config';
import { CLIENT_RESOURCE, PART_OF_LABEL } from '@vigie/config';
import type { ClientPlan, ShardPlan } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import { networkPolicies } from './network-policy.js';
import { multiplyQuantity, wholeCpus } from './quantity.js';
import type { ApiServerEndpoint, OperatorSettings } from './settings.js';

/** A Kubernetes object as plain data, ready for server-side apply. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly ownerReferences?: readonly object[];
  };
  readonly [field: string]: unknown;
}

/** The `Client` as the operator reads it. */
export interface ClientInput {
  readonly metadata: { readonly name: string; readonly uid: string };
  readonly spec: ClientSpec;
}

/** Labels on every object the operator makes for a client. */
export const CLIENT_LABEL = 'vigie.dev/client';
/** Labels on each shard's objects. */
export const SHARD_LABEL = 'vigie.dev/shard';
/** The pod annotation that rolls a shard's workers when what they cannot reload changes. */
export const ROLLOUT_ANNOTATION = 'vigie.dev/rollout-key';

/** The annotation holding a digest of what the operator applied, so any change of it shows. */
export const SPEC_HASH_ANNOTATION = 'vigie.dev/spec-hash';
/** The per-tenant Secret holding the token detectors post alerts to the console with. */
export const INGEST_TOKEN_SECRET = 'vigie-ingest-token';

/** The ingest token Secret's annotation holding the token's SHA-256 (copied into the status). */
export const TOKEN_DIGEST_ANNOTATION = 'vigie.dev/token-sha256';
/** The `app.kubernetes.io/managed-by` value on every object the operator owns. */
export const MANAGED_BY = 'vigie-operator';

/** Which monitoring APIs the cluster serves, found by discovery. */
export interface MonitoringApis {
  /** Google Managed Prometheus: `monitoring.googleapis.com/v1` `PodMonitoring`. */
  readonly podMonitoring: boolean;
  /** prometheus-operator: `monitoring.coreos.com/v1` `ServiceMonitor`. */
  readonly serviceMonitor: boolean;
}

/** No monitoring API. */
export const NO_MONITORING: MonitoringApis = { podMonitoring: false, serviceMonitor: false };

/**
 * What the operator observes of the cluster beyond the Client, and plans with as it does with
 * the settings: a change of any of it is planned again, for every Client.
 */
export interface ObservedCluster {
  /** Which monitoring APIs are served. */
  readonly monitoring: MonitoringApis;
  /** Where the API server answers, from the `kubernetes` EndpointSlice of `default`. */
  readonly apiServer: readonly ApiServerEndpoint[];
}

/** Nothing observed yet: no monitoring API, and the API server's endpoints unknown. */
export const NOTHING_OBSERVED: ObservedCluster = { monitoring: NO_MONITORING, apiServer: [] };

/**
 * Every object the client should own, namespace first. Each carries a digest of itself in
 * {@link SPEC_HASH_ANNOTATION}, so that comparing it with the live object also catches fields
 * the operator stopped setting.
 */
export function desired(
  client: ClientInput,
  settings: OperatorSettings,
  observed: ObservedCluster = NOTHING_OBSERVED,
  plan: ClientPlan = planClient(client.metadata.name, client.spec),
): KubeObject[] {
  return build(client, settings, observed, plan).map(withSpecHash);
}

function withSpecHash(object: KubeObject): KubeObject {
  const hash = createHash('sha256').update(JSON.stringify(object)).digest('hex').slice(0, 16);
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [SPEC_HASH_ANNOTATION]: hash },
    },
  };
}

function build(
  client: ClientInput,
  settings: OperatorSettings,
  observed: ObservedCluster,
  plan: ClientPlan,
): KubeObject[] {
  const owner = {
    apiVersion: `${CLIENT_RESOURCE.group}/${CLIENT_RESOURCE.version}`,
    kind: CLIENT_RESOURCE.kind,
    name: client.metadata.name,
    uid: client.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  const labels = {
    [PART_OF_LABEL]: 'vigie',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [CLIENT_LABEL]: plan.client,
  };
  const meta = (name: string, extra: Record<string, string> = {}) => ({
    name,
    namespace: plan.namespace,
    labels: { ...labels, ...extra },
    ownerReferences: [owner],
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: plan.namespace,
        labels: {
          ...labels,
          // Detectors need nothing more than the restricted profile allows.
          'pod-security.kubernetes.io/enforce': 'restricted',
        },
        ownerReferences: [owner],
      },
    },
    ...tenantLimits(plan, meta),
    ...detectorIdentity(plan, labels, owner, meta),
    ...consoleWebhookAccess(client.spec, settings, meta),
    ...networkPolicies({
      plan,
      settings,
      apiServer: observed.apiServer,
      detectors: { [CLIENT_LABEL]: plan.client, 'app.kubernetes.io/component': 'detector' },
      meta,
    }),
    ...plan.shards.flatMap((shard) => shardObjects(plan, shard, settings, meta)),
    ...monitoringObjects(settings, observed.monitoring, meta),
  ];
}

function monitoringObjects(
  settings: OperatorSettings,
  monitoring: MonitoringApis,
  meta: Meta,
): KubeObject[] {
  const selector = { matchLabels: { 'app.kubernetes.io/component': 'detector' } };
  const endpoints = [{ port: 'metrics', path: '/metrics', interval: settings.scrapeInterval }];
  return [
    ...(monitoring.podMonitoring
      ? [
          {
            apiVersion: 'monitoring.googleapis.com/v1',
            kind: 'PodMonitoring',
            metadata: meta('detectors'),
            spec: { selector, endpoints },
          },
        ]
      : []),
    ...(monitoring.serviceMonitor
      ? [
          {
            apiVersion: 'monitoring.coreos.com/v1',
            kind: 'ServiceMonitor',
            metadata: meta('detectors'),
            spec: { selector, endpoints },
          },
        ]
      : []),
  ];
}

type Meta = (name: string, extra?: Record<string, string>) => KubeObject['metadata'];

function tenantLimits(plan: ClientPlan, meta: Meta): KubeObject[] {
  const { cpu, memory, accelerator } = plan.resources;
  // Room for every shard twice over: a replaced pod still counts while it stops and delivers its
  // outbox, and the new one may already be created.
  const room = Math.max(1, plan.shards.length) * 2;
  const hard: Record<string, string> = {
    pods: String(room),
    'requests.cpu': multiplyQuantity(cpu, room),
    'requests.memory': multiplyQuantity(memory, room),
    'limits.cpu': multiplyQuantity(cpu, room * 2),
    'limits.memory': multiplyQuantity(memory, room * 2),
  };
  if (accelerator === 'nvidia-gpu') hard['requests.nvidia.com/gpu'] = String(room);
  return [
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('vigie-quota'), spec: { hard } },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('vigie-limits'),
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: multiplyQuantity(cpu, 2), memory: multiplyQuantity(memory, 2) },
            defaultRequest: { cpu, memory },
          },
        ],
      },
    },
  ];
}

/**
 * How long a stopping detector keeps delivering its outbox; its pod's grace period leaves ten
 * seconds more for its cameras to stop first.
 */
export const DETECTOR_DRAIN_SECONDS = 20;

/** The ServiceAccount detectors run as. */
export const DETECTOR_SERVICE_ACCOUNT = 'vigie-detector';

/**
 * The detectors' identity: a ServiceAccount, and a ClusterRole bound to it that allows patching
 * this one Client's status (camera health) and nothing else. `Client` is cluster-scoped, so the
 * grant is too; `resourceNames` keeps each tenant to its own Client.
 */
function detectorIdentity(
  plan: ClientPlan,
  labels: Record<string, string>,
  owner: object,
  meta: Meta,
): KubeObject[] {
  const name = `vigie-detector-${plan.client}`;
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(DETECTOR_SERVICE_ACCOUNT),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels, ownerReferences: [owner] },
      rules: [
        {
          apiGroups: [CLIENT_RESOURCE.group],
          resources: ['clients/status'],
          resourceNames: [plan.client],
          verbs: ['get', 'patch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels, ownerReferences: [owner] },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [
        { kind: 'ServiceAccount', name: DETECTOR_SERVICE_ACCOUNT, namespace: plan.namespace },
      ],
    },
  ];
}

/** The Role (and its binding) letting the console read a tenant's webhook signing Secrets. */
export const CONSOLE_WEBHOOKS_ROLE = 'vigie-console-webhooks';

/**
 * The console signs webhooks with keys the tenant keeps in its namespace: it may `get` those
 * Secrets, by name, and no other. A client without webhooks gets no grant at all.
 */
function consoleWebhookAccess(
  spec: ClientInput['spec'],
  settings: OperatorSettings,
  meta: Meta,
): KubeObject[] {
  const names = [...new Set(spec.alerts.webhooks.map((w) => w.secretRef))].sort();
  if (names.length === 0) return [];
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: meta(CONSOLE_WEBHOOKS_ROLE),
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: names, verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(CONSOLE_WEBHOOKS_ROLE),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: CONSOLE_WEBHOOKS_ROLE,
      },
      subjects: [
        {
          kind: 'ServiceAccount',
          name: settings.consoleServiceAccount.name,
          namespace: settings.consoleServiceAccount.namespace,
        },
      ],
    },
  ];
}

function shardObjects(
  plan: ClientPlan,
  shard: ShardPlan,
  settings: OperatorSettings,
  meta: Meta,
): KubeObject[] {
  const name = `detector-${shard.name}`;
  const shardLabels = { 'app.kubernetes.io/component': 'detector', [SHARD_LABEL]: shard.name };
  const selector = { [CLIENT_LABEL]: plan.client, [SHARD_LABEL]: shard.name };
  const secrets = [
    ...new Set(
      shard.config.cameras.flatMap((c) =>
        c.stream.credentialsSecret === undefined ? [] : [c.stream.credentialsSecret],
      ),
    ),
  ].sort();
  const gpu = plan.resources.accelerator === 'nvidia-gpu';
  const requests = { cpu: plan.resources.cpu, memory: plan.resources.memory };
  const limits: Record<string, string> = {
    cpu: multiplyQuantity(plan.resources.cpu, 2),
    memory: multiplyQuantity(plan.resources.memory, 2),
    ...(gpu ? { 'nvidia.com/gpu': '1' } : {}),
  };
  const probe = (path: string) => ({ httpGet: { path, port: 'metrics' }, periodSeconds: 10 });
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(name, shardLabels),
      data: { 'config.json': `${JSON.stringify(shard.config, null, 2)}\n` },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name, shardLabels),
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        // The old pod goes before the new one starts: a surge pod would need a node with room
        // for both (a small node is left with one Pending), and two pods analysing the same
        // cameras raise every alert twice. The old one hands its outbox over as it stops.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
        template: {
          metadata: {
            labels: { ...selector, ...shardLabels, [PART_OF_LABEL]: 'vigie' },
            // Zones, rules and schedules reach the worker through the mounted ConfigMap; only
            // what it cannot reload is in the rollout key.
            annotations: { [ROLLOUT_ANNOTATION]: shard.rolloutKey },
          },
          spec: {
            // The token lets the detector write its cameras' health, and nothing else.
            serviceAccountName: DETECTOR_SERVICE_ACCOUNT,
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: DETECTOR_DRAIN_SECONDS + 10,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            ...(gpu
              ? {
                  tolerations: [
                    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
                  ],
                }
              : {}),
            containers: [
              {
                name: 'detector',
                image: settings.detectorImage,
                args: [
                  '--config',
                  '/etc/vigie/config.json',
                  '--console',
                  settings.consoleUrl,
                  '--ingest-token-file',
                  '/var/run/secrets/vigie/ingest/token',
                  '--report-status',
                  // The outbox is on the scratch volume, which the pod loses: capped below it,
                  // and handed to the console on SIGTERM within the grace period below.
                  '--outbox-mib',
                  String(Math.floor(settings.detectorScratchMiB / 2)),
                  '--drain-seconds',
                  String(DETECTOR_DRAIN_SECONDS),
                ],
                // One inference thread per CPU the shard is given.
                env: [
                  {
                    name: 'VIGIE_INFERENCE_THREADS',
                    value: String(wholeCpus(plan.resources.cpu)),
                  },
                ],
                ports: [{ name: 'metrics', containerPort: settings.metricsPort }],
                resources: { requests, limits },
                readinessProbe: probe('/readyz'),
                livenessProbe: probe('/healthz'),
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/vigie', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                  {
                    name: 'ingest-token',
                    mountPath: '/var/run/secrets/vigie/ingest',
                    readOnly: true,
                  },
                  ...secrets.map((secret, i) => ({
                    name: `camera-credentials-${String(i)}`,
                    mountPath: `/var/run/secrets/vigie/cameras/${secret}`,
                    readOnly: true,
                  })),
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name } },
              { name: 'tmp', emptyDir: { sizeLimit: `${String(settings.detectorScratchMiB)}Mi` } },
              {
                name: 'ingest-token',
                // A file, not an environment variable: a new token reaches running workers.
                secret: {
                  secretName: INGEST_TOKEN_SECRET,
                  items: [{ key: 'token', path: 'token' }],
                },
              },
              ...secrets.map((secret, i) => ({
                name: `camera-credentials-${String(i)}`,
                secret: { secretName: secret },
              })),
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name, shardLabels),
      spec: {
        selector,
        ports: [{ name: 'metrics', port: settings.metricsPort, targetPort: 'metrics' }],
      },
    },
  ];
}
