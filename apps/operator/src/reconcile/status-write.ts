/**
 * Writes a Client's status with server-side apply on the status subresource, and only when the
 * fields the operator owns changed: an unchanged world makes no request.
 */

import { TYPES, apiVersionOf, objectPath } from '../kube/resources.js';
import { deepEqual } from './compare.js';
import type { ClientObject, KubeRequests } from './deps.js';
import { FIELD_MANAGER } from './deps.js';
import type { ClientStatus } from './status.js';

/** Whether `status` differs from what the Client holds, in the fields the operator writes. */
function statusChanged(client: ClientObject, status: ClientStatus): boolean {
  // Only the fields the operator writes count: detectors may report camera health beside them.
  const current = (client.status ?? {}) as Record<string, unknown>;
  const mine = Object.fromEntries(Object.keys(status).map((k) => [k, current[k]]));
  return !deepEqual(stripUndefined(mine), stripUndefined(status));
}

/** Writes `status` into the Client when it changed. */
export async function writeStatus(
  api: KubeRequests,
  client: ClientObject,
  status: ClientStatus,
): Promise<void> {
  if (!statusChanged(client, status)) return;
  await api.request(objectPath(TYPES.Client, client.metadata.name) + '/status', {
    method: 'PATCH',
    query: { fieldManager: FIELD_MANAGER, force: 'true' },
    contentType: 'application/apply-patch+yaml',
    body: {
      apiVersion: apiVersionOf(TYPES.Client),
      kind: 'Client',
      metadata: { name: client.metadata.name },
      status,
    },
  });
}

/** The value as JSON would carry it: without undefined fields. */
function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
