/**
 * Whether the operator may act on a Client: its spec passes the config model's checks and can
 * be planned, and its namespace is free or already its own. A refused spec leaves the tenant's
 * workloads as they were.
 */

import type { ClientSpec } from '@vigie/config';
import { verifyClientConfig } from '@vigie/config';
import { errorMessage } from '@vigie/log';
import type { ClientPlan } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import { KubeApiError, hasStatus } from '../kube/client.js';
import type { CachedObject } from '../kube/informer.js';
import { TYPES, objectPath } from '../kube/resources.js';
import type { Caches, KubeRequests } from './deps.js';
import type { Problem } from './status.js';

/** The plan of a Client, or why its spec is refused. Pure. */
export function planSpec(
  name: string,
  spec: ClientSpec,
): { plan: ClientPlan } | { invalid: string } {
  try {
    const problems = verifyClientConfig({ id: name, ...spec });
    if (problems.length > 0) {
      const first = problems[0];
      return {
        invalid: `${String(problems.length)} problem${problems.length === 1 ? '' : 's'} in the spec, first ${first?.code ?? ''} at ${first?.path ?? ''}: ${first?.message ?? ''}`,
      };
    }
    return { plan: planClient(name, spec) };
  } catch (error) {
    // A Client written by hand may lack what the config function always fills in.
    return { invalid: `the spec cannot be planned: ${errorMessage(error)}` };
  }
}

/**
 * A namespace of the same name that the Client (`uid`) does not own is never taken over: the
 * problem to report, or undefined when the namespace is free or the Client's. Throws a retryable
 * error while the namespace is still being deleted.
 */
export async function namespaceConflict(
  deps: { readonly client: KubeRequests; readonly caches: Pick<Caches, 'owned'> },
  namespace: string,
  uid: string,
): Promise<Problem | undefined> {
  let existing: CachedObject | undefined = deps.caches.owned.get('Namespace')?.get(namespace);
  if (existing === undefined) {
    try {
      // Served from the API server's watch cache: cheap, and only for a namespace not yet ours.
      existing = await deps.client.request<CachedObject>(objectPath(TYPES.Namespace, namespace), {
        query: { resourceVersion: '0' },
      });
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }
  if (existing.metadata.deletionTimestamp !== undefined) {
    // Ours on its way out, or a previous Client of the same name being cleaned up: wait for it.
    throw new KubeApiError(
      409,
      'NamespaceTerminating',
      `namespace ${namespace} is still being deleted`,
    );
  }
  if (existing.metadata.ownerReferences?.some((o) => o.uid === uid) === true) return undefined;
  return {
    reason: 'NamespaceConflict',
    message: `namespace ${namespace} exists and does not belong to this Client; Vigie will not take it over`,
  };
}
