/**
 * What a reconcile tells people and dashboards about a Client: condition and shard metrics, and
 * Events for a tenant created, a refused apply, a change of condition and unconfined camera
 * egress. Each is said once per change, not at every reconcile.
 */

import type { Logger } from '@vigie/log';
import type { ClientPlan } from '@vigie/plan';
import type { KubeObject } from '../desired/desired.js';
import { unconfinedCameras } from '../desired/network-policy.js';
import type { OperatorSettings } from '../desired/settings.js';
import type { EventRecorder, Regarding } from '../runtime/events.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import type { ClientObject } from './deps.js';
import type { ClientStatus, Problem } from './status.js';

/** What the {@link Reporter} needs. */
export interface ReporterDeps {
  readonly settings: OperatorSettings;
  readonly events: EventRecorder;
  readonly metrics: Pick<OperatorMetrics, 'clientCondition' | 'clientShards'>;
  readonly log: Logger;
}

const CONDITION_TYPES = ['Accepted', 'Ready', 'Degraded'] as const;

/** Reports on Clients, remembering what it said so that it says each thing once. */
export class Reporter {
  /** The unconfined cameras last reported per client, so that each set is reported once. */
  private readonly unconfined = new Map<string, string>();
  /** The reasons exported per client and condition type, so that a stale series is removed. */
  private readonly conditionSeries = new Map<string, string[]>();

  constructor(private readonly deps: ReporterDeps) {}

  /**
   * Says once per client, in the log and in an Event, which cameras named by a host name have
   * their port open to every address because no camera networks are set.
   */
  unconfinedCameras(client: Regarding, plan: ClientPlan): void {
    const cameras = unconfinedCameras(plan, this.deps.settings);
    const key = cameras.join(', ');
    if ((this.unconfined.get(client.name) ?? '') === key) return;
    if (cameras.length === 0) {
      this.unconfined.delete(client.name);
      return;
    }
    this.unconfined.set(client.name, key);
    // An Event's note holds 1 KB: name a few cameras, and count the rest.
    const named = cameras.slice(0, 5).join(', ');
    const more = cameras.length > 5 ? ` and ${String(cameras.length - 5)} more` : '';
    const message = `camera egress is open to every address on the ports of ${named}${more}: a NetworkPolicy cannot name a host; set VIGIE_CAMERA_NETWORKS to the networks the cameras are in`;
    this.deps.log('WARNING', 'camera egress unconfined', { client: client.name, cameras });
    this.deps.events.emit(client, 'Warning', 'CameraEgressUnconfined', message);
  }

  /** Reports an apply of the tenant's objects: the shards it created, or what was refused. */
  applied(client: Regarding, created: readonly KubeObject[], refused: readonly Problem[]): void {
    const shards = created.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    if (shards.length > 0 && refused.length === 0) {
      // One event for the whole tenant rather than one per object: creating 1,000 tenants should
      // not mean thousands of Events.
      this.deps.events.emit(
        client,
        'Normal',
        'ShardsCreated',
        `created ${shards.join(', ')} with their ConfigMaps and Services`,
      );
    }
    if (refused.length > 0) {
      this.deps.events.emit(
        client,
        'Warning',
        'ApplyFailed',
        refused.map((p) => p.message).join('; '),
      );
    }
  }

  /** Metrics for the status, and Events for the conditions that changed from the Client's. */
  status(client: ClientObject, status: ClientStatus): void {
    const name = client.metadata.name;
    const regarding = { name, uid: client.metadata.uid ?? '' };
    const before = client.status?.conditions ?? [];
    for (const condition of status.conditions) {
      const seriesKey = `${name}/${condition.type}`;
      for (const reason of this.conditionSeries.get(seriesKey) ?? []) {
        if (reason !== condition.reason) {
          this.deps.metrics.clientCondition.remove({ client: name, type: condition.type, reason });
        }
      }
      this.conditionSeries.set(seriesKey, [condition.reason]);
      this.deps.metrics.clientCondition.set(
        { client: name, type: condition.type, reason: condition.reason },
        condition.status === 'True' ? 1 : 0,
      );
      const old = before.find((c) => c.type === condition.type);
      if (old?.status === condition.status && old.reason === condition.reason) continue;
      const bad =
        (condition.type === 'Degraded' && condition.status === 'True') ||
        (condition.type === 'Accepted' && condition.status === 'False');
      const good = condition.type === 'Ready' && condition.status === 'True';
      if (bad) this.deps.events.emit(regarding, 'Warning', condition.reason, condition.message);
      else if (good) this.deps.events.emit(regarding, 'Normal', 'Ready', condition.message);
    }
    this.deps.metrics.clientShards.set({ client: name, state: 'planned' }, status.summary.shards);
    this.deps.metrics.clientShards.set(
      { client: name, state: 'ready' },
      status.summary.shardsReady,
    );
  }

  /** Drops a deleted client's metric series and what was said about it. */
  forget(name: string): void {
    this.unconfined.delete(name);
    for (const type of CONDITION_TYPES) {
      for (const series of this.conditionSeries.get(`${name}/${type}`) ?? []) {
        this.deps.metrics.clientCondition.remove({ client: name, type, reason: series });
      }
      this.conditionSeries.delete(`${name}/${type}`);
    }
    this.deps.metrics.clientShards.remove({ client: name, state: 'planned' });
    this.deps.metrics.clientShards.remove({ client: name, state: 'ready' });
  }
}
