/**
 * What the status is computed from, read from the caches: the shard Deployments, the detector
 * pods, the Secrets the cameras need, the ingest token's digest, and the camera health the
 * detectors reported. Reads only; no request.
 */

import type { ClientPlan } from '@vigie/plan';
import { INGEST_TOKEN_SECRET, TOKEN_DIGEST_ANNOTATION } from '../desired/desired.js';
import type { CachedObject } from '../kube/informer.js';
import type { Caches, ClientObject } from './deps.js';
import type { CameraHealth, Observation, Problem } from './status.js';

/** The observation of a Client whose spec cannot be planned: nothing but the refusal. */
export function observeInvalid(client: ClientObject, invalid: string): Observation {
  return {
    ...observeClient(client),
    plan: { invalid },
    deployments: new Map(),
    pods: [],
    missingSecrets: [],
    applyProblems: [],
    cameraHealth: [],
    now: new Date(),
  };
}

/** The observation of a planned Client, after applying met `problems`. */
export function observeTenant(
  caches: Caches,
  client: ClientObject,
  plan: ClientPlan,
  problems: readonly Problem[],
): Observation {
  const name = client.metadata.name;
  return {
    ...observeClient(client),
    plan,
    deployments: shardDeployments(caches, plan),
    pods: caches.pods.byIndex(name),
    missingSecrets: missingSecrets(caches, plan),
    ingestTokenSha256: caches.secrets.get(`${plan.namespace}/${INGEST_TOKEN_SECRET}`)?.metadata
      .annotations?.[TOKEN_DIGEST_ANNOTATION],
    applyProblems: problems,
    cameraHealth: cameraHealthOf(
      client,
      plan.shards.map((s) => s.name),
    ),
    now: new Date(),
  };
}

/** What the Client itself says: its generation, camera count and previous conditions. */
function observeClient(
  client: ClientObject,
): Pick<Observation, 'generation' | 'previous' | 'cameras'> {
  return {
    generation: client.metadata.generation ?? 0,
    previous: client.status?.conditions ?? [],
    cameras: Array.isArray(client.spec.cameras) ? client.spec.cameras.length : 0,
  };
}

/** The cached Deployment of each planned shard, by shard name. */
function shardDeployments(caches: Caches, plan: ClientPlan): Map<string, CachedObject> {
  const deployments = new Map<string, CachedObject>();
  const cache = caches.owned.get('Deployment');
  for (const shard of plan.shards) {
    const deployment = cache?.get(`${plan.namespace}/detector-${shard.name}`);
    if (deployment !== undefined) deployments.set(shard.name, deployment);
  }
  return deployments;
}

/** The camera Secrets the plan references that the namespace lacks, with their cameras. */
function missingSecrets(caches: Caches, plan: ClientPlan): { secret: string; cameras: string[] }[] {
  const needed = new Map<string, string[]>();
  for (const shard of plan.shards) {
    for (const camera of shard.config.cameras) {
      const secret = camera.stream.credentialsSecret;
      if (secret === undefined) continue;
      needed.set(secret, [...(needed.get(secret) ?? []), camera.id]);
    }
  }
  return [...needed]
    .filter(([secret]) => caches.secrets.get(`${plan.namespace}/${secret}`) === undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([secret, cameras]) => ({ secret, cameras }));
}

/**
 * Camera health as the detectors wrote it, from the entries of the shards planned now (a removed
 * shard's last report is ignored). The API server checked each entry against the CRD's status
 * schema, generated from the same types. Only what the status gathers is kept: reconnect counts
 * would rewrite it whenever a camera flaps.
 */
function cameraHealthOf(client: ClientObject, shards: readonly string[]): CameraHealth[] {
  const reports = client.status?.detectors ?? {};
  return shards.flatMap((shard) =>
    (reports[shard]?.cameras ?? []).map(({ id, state, reason, message }) => ({
      id,
      state,
      ...(reason === undefined ? {} : { reason }),
      ...(message === undefined ? {} : { message }),
    })),
  );
}
