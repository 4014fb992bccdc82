/**
 * The tenant's ingest token: a random Secret created once, with its SHA-256 in an annotation.
 * It is never applied like the other objects, since rewriting it would take the token away from
 * detectors that hold it.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  CLIENT_LABEL,
  INGEST_TOKEN_SECRET,
  MANAGED_BY,
  TOKEN_DIGEST_ANNOTATION,
} from '../desired/desired.js';
import { hasStatus } from '../kube/client.js';
import { TYPES, apiVersionOf, collectionPath } from '../kube/resources.js';
import type { Regarding } from '../runtime/events.js';
import type { Caches, KubeRequests } from './deps.js';
import { FIELD_MANAGER } from './deps.js';

/** Creates the tenant's ingest token once; it is never rewritten, so detectors keep theirs. */
export async function ensureIngestToken(
  deps: { readonly client: KubeRequests; readonly caches: Pick<Caches, 'secrets'> },
  owner: Regarding,
  namespace: string,
): Promise<void> {
  if (deps.caches.secrets.get(`${namespace}/${INGEST_TOKEN_SECRET}`) !== undefined) return;
  try {
    await deps.client.request(collectionPath(TYPES.Secret, namespace), {
      method: 'POST',
      query: { fieldManager: FIELD_MANAGER },
      body: ingestTokenSecret(owner, namespace, randomBytes(32).toString('base64url')),
    });
  } catch (error) {
    // The cache was behind: it exists already, and must not be replaced.
    if (!hasStatus(error, 409)) throw error;
  }
}

/** The ingest token's Secret, owned by the Client. */
function ingestTokenSecret(owner: Regarding, namespace: string, token: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: INGEST_TOKEN_SECRET,
      namespace,
      // The digest is not a secret: the console checks posts against it through the Client
      // status, and never needs to read the Secret.
      annotations: {
        [TOKEN_DIGEST_ANNOTATION]: createHash('sha256').update(token).digest('hex'),
      },
      labels: {
        'app.kubernetes.io/part-of': 'vigie',
        'app.kubernetes.io/managed-by': MANAGED_BY,
        [CLIENT_LABEL]: owner.name,
      },
      ownerReferences: [
        {
          apiVersion: apiVersionOf(TYPES.Client),
          kind: 'Client',
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    type: 'Opaque',
    stringData: { token },
  };
}
