/**
 * Kubernetes Events about Clients, for what a person should know: shards created or rolled,
 * drift put back, a Secret missing, the spec refused. The same event is not repeated within ten
 * minutes, so a client stuck in one state does not flood the Event stream.
 */

import type { KubeClient } from '../kube/client.js';
import { TYPES, collectionPath } from '../kube/resources.js';
import { microTime } from '../leader/lease.js';
import type { Logger } from '@vigie/log';

/** Who an event is about. */
export interface Regarding {
  readonly name: string;
  readonly uid: string;
}

/** Records events; failures are logged, never thrown, since events are best effort. */
export interface EventRecorder {
  emit(regarding: Regarding, type: 'Normal' | 'Warning', reason: string, note: string): void;
}

const REPEAT_AFTER_MS = 10 * 60_000;
// Events about cluster-scoped objects live in the default namespace.
const EVENT_NAMESPACE = 'default';

/** Records events with `events.k8s.io/v1`, as reporting controller `vigie.dev/operator`. */
export function createEventRecorder(
  client: KubeClient,
  instance: string,
  log: Logger,
): EventRecorder {
  const recent = new Map<string, number>();
  let sequence = 0;
  return {
    emit(regarding, type, reason, note) {
      const key = `${regarding.uid}\u0000${reason}\u0000${note}`;
      const now = Date.now();
      const last = recent.get(key);
      if (last !== undefined && now - last < REPEAT_AFTER_MS) return;
      recent.set(key, now);
      if (recent.size > 10_000) {
        for (const [k, at] of recent) if (now - at > REPEAT_AFTER_MS) recent.delete(k);
      }
      client
        .request(collectionPath(TYPES.Event, EVENT_NAMESPACE), {
          method: 'POST',
          body: {
            apiVersion: 'events.k8s.io/v1',
            kind: 'Event',
            // Named as client-go names events: the object's name and a unique suffix.
            metadata: {
              name: `${regarding.name}.${(BigInt(now) * 1_000_000n + BigInt(sequence++)).toString(16)}`,
              namespace: EVENT_NAMESPACE,
            },
            eventTime: microTime(new Date(now)),
            reportingController: 'vigie.dev/operator',
            reportingInstance: instance.slice(0, 128),
            action: reason,
            reason,
            type,
            note: note.slice(0, 1024),
            regarding: {
              apiVersion: `${TYPES.Client.group}/${TYPES.Client.version}`,
              kind: 'Client',
              name: regarding.name,
              uid: regarding.uid,
            },
          },
        })
        .catch((error: unknown) => {
          log('WARNING', 'could not record an event', { reason, error: String(error) });
        });
    },
  };
}
