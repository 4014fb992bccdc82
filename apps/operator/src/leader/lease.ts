/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it.
 * A candidate takes the Lease when it is free or its holder has not renewed it for a whole lease
 * duration, measured on the candidate's own clock from when it last saw the Lease change (so
 * clock skew between replicas does not matter). Every write carries the resourceVersion it read,
 * so two candidates can never both win. A leader that cannot renew within the renew deadline
 * steps down.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../kube/client.js';
import { KubeApiError, hasStatus } from '../kube/client.js';
import { TYPES, collectionPath, objectPath } from '../kube/resources.js';

/** Timings, in milliseconds. */
export interface LeaseTimings {
  /** How long a Lease stays held without renewal. */
  readonly leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it steps down. */
  readonly renewDeadlineMs: number;
  /** How often candidates try, and the leader renews. */
  readonly retryPeriodMs: number;
}

/** client-go's defaults. */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

interface LeaseObject {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

/** Options for {@link LeaderElector}. */
export interface ElectorOptions {
  readonly namespace: string;
  readonly name: string;
  /** This replica's unique identity, usually its pod name. */
  readonly identity: string;
  readonly timings?: LeaseTimings;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** Competes for one Lease. */
export class LeaderElector {
  private readonly timings: LeaseTimings;
  private observed: { resourceVersion: string; at: number; holder: string } | undefined;
  private leading = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly client: KubeClient,
    private readonly options: ElectorOptions,
  ) {
    this.timings = options.timings ?? DEFAULT_LEASE_TIMINGS;
  }

  /** True while this replica holds the Lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Waits until this replica leads, calls `onStarted`, then renews until it cannot (it calls
   * `onStopped` then) or until {@link release}. Resolves when leadership ends.
   */
  async run(onStarted: () => void, onStopped: () => void): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted && !(await this.tryAcquireOrRenew())) {
      await sleep(this.jittered(), undefined, { signal }).catch(() => undefined);
    }
    if (signal.aborted) return;
    this.leading = true;
    this.options.log?.('became leader', { lease: this.options.name });
    onStarted();
    let lastRenew = Date.now();
    const aborted = () => signal.aborted;
    while (!aborted()) {
      await sleep(this.timings.retryPeriodMs, undefined, { signal }).catch(() => undefined);
      if (aborted()) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew > this.timings.renewDeadlineMs || !this.stillOurs()) {
        this.leading = false;
        this.options.log?.('lost leadership', { lease: this.options.name });
        onStopped();
        return;
      }
    }
  }

  /** Stops competing; a leader hands the Lease back so a standby takes over at once. */
  async release(): Promise<void> {
    this.abort.abort();
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.get();
      if (lease?.spec.holderIdentity !== this.options.identity) return;
      await this.client.request(
        objectPath(TYPES.Lease, this.options.name, this.options.namespace),
        {
          method: 'PUT',
          body: {
            ...lease,
            spec: {
              ...lease.spec,
              holderIdentity: null,
              leaseDurationSeconds: 1,
              renewTime: microTime(new Date()),
            },
          },
        },
      );
    } catch (error) {
      this.options.log?.('could not release the lease', { error: String(error) });
    }
  }

  private jittered(): number {
    return this.timings.retryPeriodMs * (1 + Math.random() * 0.2);
  }

  /** A leader that lost the Lease to someone else knows at once, without waiting for the deadline. */
  private stillOurs(): boolean {
    return this.observed === undefined || this.observed.holder === this.options.identity;
  }

  private async get(): Promise<LeaseObject | undefined> {
    try {
      return await this.client.request<LeaseObject>(
        objectPath(TYPES.Lease, this.options.name, this.options.namespace),
        { timeoutMs: this.timings.retryPeriodMs * 2 },
      );
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const durationSeconds = Math.ceil(this.timings.leaseDurationMs / 1000);
    try {
      const lease = await this.get();
      if (lease === undefined) {
        const created = await this.client.request<LeaseObject>(
          collectionPath(TYPES.Lease, this.options.namespace),
          {
            method: 'POST',
            body: {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name: this.options.name, namespace: this.options.namespace },
              spec: {
                holderIdentity: this.options.identity,
                leaseDurationSeconds: durationSeconds,
                acquireTime: microTime(now),
                renewTime: microTime(now),
                leaseTransitions: 0,
              },
            },
          },
        );
        this.see(created);
        return true;
      }
      this.see(lease);
      const holder = lease.spec.holderIdentity ?? '';
      const ours = holder === this.options.identity;
      const expiredAfter = (lease.spec.leaseDurationSeconds ?? durationSeconds) * 1000;
      if (!ours && holder !== '' && Date.now() - (this.observed?.at ?? 0) < expiredAfter) {
        return false;
      }
      const updated = await this.client.request<LeaseObject>(
        objectPath(TYPES.Lease, this.options.name, this.options.namespace),
        {
          method: 'PUT',
          timeoutMs: this.timings.retryPeriodMs * 2,
          body: {
            ...lease,
            spec: {
              holderIdentity: this.options.identity,
              leaseDurationSeconds: durationSeconds,
              acquireTime: ours ? lease.spec.acquireTime : microTime(now),
              renewTime: microTime(now),
              leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
            },
          },
        },
      );
      this.see(updated);
      return true;
    } catch (error) {
      // A conflict means another candidate wrote first; anything else is retried next period.
      if (!(error instanceof KubeApiError && error.status === 409)) {
        this.options.log?.('lease request failed', { error: String(error) });
      }
      return false;
    }
  }

  private see(lease: LeaseObject): void {
    const resourceVersion = lease.metadata.resourceVersion ?? '';
    if (this.observed?.resourceVersion !== resourceVersion) {
      this.observed = {
        resourceVersion,
        at: Date.now(),
        holder: lease.spec.holderIdentity ?? '',
      };
    }
  }
}

/** A MicroTime as the API wants it: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
