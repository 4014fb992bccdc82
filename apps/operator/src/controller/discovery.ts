/**
 * API discovery of the monitoring APIs: whether the cluster serves Google Managed Prometheus's
 * `PodMonitoring` or prometheus-operator's `ServiceMonitor`. A cache of each kind served is
 * started (and stopped when it goes away), and every Client is planned again when the answer
 * changes.
 */

import type { Logger } from '@vigie/log';
import type { MonitoringApis } from '../desired/desired.js';
import { NO_MONITORING } from '../desired/desired.js';
import type { KubeClient } from '../kube/client.js';
import { hasStatus } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import type { OwnedKind } from '../kube/resources.js';
import { TYPES } from '../kube/resources.js';

const MONITORING_KINDS = [
  ['PodMonitoring', 'podMonitoring'],
  ['ServiceMonitor', 'serviceMonitor'],
] as const;

/** How long a newly found kind's cache may take to fill. */
const SYNC_TIMEOUT_MS = 60_000;

/** What discovery needs. */
export interface DiscoveryOptions {
  readonly client: Pick<KubeClient, 'request'>;
  /** The owned caches, which discovery adds monitoring caches to and removes them from. */
  readonly owned: Map<OwnedKind, Informer>;
  /** Makes (without starting) the cache of an owned kind. */
  readonly ownedInformer: (kind: OwnedKind) => Informer;
  /** Called when the monitoring APIs served change. */
  readonly onChange: () => void;
  readonly log: Logger;
}

/** Finds the monitoring APIs the cluster serves, now and then. */
export class MonitoringDiscovery {
  private found: MonitoringApis = NO_MONITORING;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DiscoveryOptions) {}

  /** The monitoring APIs found last. */
  get apis(): MonitoringApis {
    return this.found;
  }

  /** Looks once; throws when the API server cannot answer. */
  async discover(): Promise<void> {
    const found = { ...NO_MONITORING };
    for (const [kind, field] of MONITORING_KINDS) {
      found[field] = await served(this.options.client, kind);
    }
    if (
      found.podMonitoring === this.found.podMonitoring &&
      found.serviceMonitor === this.found.serviceMonitor
    ) {
      return;
    }
    this.options.log('INFO', 'monitoring APIs found', { ...found });
    const owned = this.options.owned;
    for (const [kind, field] of MONITORING_KINDS) {
      const existing = owned.get(kind);
      if (found[field] && existing === undefined) {
        const started = this.options.ownedInformer(kind);
        owned.set(kind, started);
        started.start();
        await started.waitForSync(SYNC_TIMEOUT_MS);
      } else if (!found[field] && existing !== undefined) {
        owned.delete(kind);
        await existing.stop();
      }
    }
    this.found = found;
    this.options.onChange();
  }

  /** Looks again every `intervalMs`, logging failures, until {@link stop}. */
  poll(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.discover().catch((error: unknown) => {
        this.options.log('WARNING', 'API discovery failed', { error: String(error) });
      });
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops looking. */
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Whether the cluster serves `kind` (found through discovery of its group version). */
async function served(
  client: Pick<KubeClient, 'request'>,
  kind: 'PodMonitoring' | 'ServiceMonitor',
): Promise<boolean> {
  const type = TYPES[kind];
  try {
    const list = await client.request<{ resources?: { name: string }[] }>(
      `/apis/${type.group}/${type.version}`,
    );
    return list.resources?.some((r) => r.name === type.plural) ?? false;
  } catch (error) {
    if (hasStatus(error, 404)) return false;
    throw error;
  }
}
