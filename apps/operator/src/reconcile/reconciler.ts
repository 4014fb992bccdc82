/**
 * Reconciles one Client: plan, compare with the cache, apply only what differs (server-side
 * apply, field manager `vigie-operator`), remove what is no longer wanted, and write the status
 * only when it changed. Level-based: it reads the whole current state every time, so a missed
 * event, a restart or a hand edit all converge the same way. In a steady state it makes no
 * request at all.
 *
 * The steps live beside it, one file per concern: `accept.ts` (is the spec and the namespace
 * acceptable), `apply.ts` (apply and prune), `ingest-token.ts`, `observe.ts` and `status.ts`
 * (what the status says), `status-write.ts`, and `reporting.ts` (metrics and Events).
 */

import type { Logger } from '@vigie/log';
import type { ClientPlan } from '@vigie/plan';
import type { KubeObject, ObservedCluster } from '../desired/desired.js';
import { desired } from '../desired/desired.js';
import type { OperatorSettings } from '../desired/settings.js';
import type { EventRecorder, Regarding } from '../runtime/events.js';
import type { OperatorMetrics } from '../runtime/metrics.js';
import { namespaceConflict, planSpec } from './accept.js';
import { Applier } from './apply.js';
import type { Caches, ClientObject, KubeRequests } from './deps.js';
import { TERMINAL_RETRY_MS } from './deps.js';
import { ensureIngestToken } from './ingest-token.js';
import { observeInvalid, observeTenant } from './observe.js';
import { Reporter } from './reporting.js';
import type { Observation, Problem } from './status.js';
import { computeStatus } from './status.js';
import { writeStatus } from './status-write.js';

export { FIELD_MANAGER, TERMINAL_RETRY_MS, type Caches } from './deps.js';

/** What the reconciler needs. */
export interface ReconcilerDeps {
  readonly client: KubeRequests;
  readonly caches: Caches;
  readonly settings: OperatorSettings;
  /** What the operator currently observes of the cluster, read at each reconcile. */
  readonly observed: () => ObservedCluster;
  readonly events: EventRecorder;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
}

/** What the worker does next with the key. */
export interface ReconcileResult {
  /** Look again after this long, even if nothing changes. */
  readonly requeueAfterMs?: number;
}

/** Reconciles Clients. */
export class Reconciler {
  private readonly applier: Applier;
  private readonly reporter: Reporter;

  constructor(private readonly deps: ReconcilerDeps) {
    this.applier = new Applier(deps);
    this.reporter = new Reporter(deps);
  }

  /** Brings client `name` to its desired state; throws on errors worth retrying soon. */
  async reconcile(name: string): Promise<ReconcileResult> {
    const client = this.deps.caches.clients.get(name) as ClientObject | undefined;
    if (client === undefined || client.metadata.deletionTimestamp !== undefined) {
      // Garbage collection removes everything the Client owned.
      this.applier.forget(name);
      this.reporter.forget(name);
      return {};
    }
    const planned = planSpec(name, client.spec);
    if ('invalid' in planned) {
      await this.report(client, observeInvalid(client, planned.invalid));
      // Retrying cannot fix the spec; a new spec arrives as a watch event.
      return {};
    }
    const problems = await this.converge(client, planned.plan);
    await this.report(client, observeTenant(this.deps.caches, client, planned.plan, problems));
    // A refusal that retrying at once cannot fix is looked at again later, not hot.
    return problems.length === 0 ? {} : { requeueAfterMs: TERMINAL_RETRY_MS };
  }

  /** Applies the tenant and prunes what it no longer wants; returns what stood in the way. */
  private async converge(client: ClientObject, plan: ClientPlan): Promise<Problem[]> {
    const owner = { name: client.metadata.name, uid: client.metadata.uid ?? '' };
    const conflict = await namespaceConflict(this.deps, plan.namespace, owner.uid);
    if (conflict !== undefined) return [conflict];
    const objects = desired(
      { metadata: owner, spec: client.spec },
      this.deps.settings,
      this.deps.observed(),
      plan,
    );
    this.reporter.unconfinedCameras(owner, plan);
    const refused = await this.applyTenant(owner, objects, plan.namespace);
    if (refused.length === 0) await this.applier.prune(owner, objects);
    return refused;
  }

  /** Applies the namespace first, then the ingest token, then everything in the namespace. */
  private async applyTenant(
    owner: Regarding,
    objects: readonly KubeObject[],
    namespace: string,
  ): Promise<Problem[]> {
    const [first, ...contents] = objects;
    if (first !== undefined) {
      const refused = await this.applier.applyEach(owner, [first]);
      // Nothing can be made in a namespace that does not exist.
      if (refused.length > 0) return refused;
    }
    await ensureIngestToken(this.deps, owner, namespace);
    const created = this.applier.missing(contents);
    const refused = await this.applier.applyEach(owner, contents);
    this.reporter.applied(owner, created, refused);
    return refused;
  }

  /** Computes the status, reports it, and writes it if it changed. */
  private async report(client: ClientObject, observation: Observation): Promise<void> {
    const status = computeStatus(observation);
    this.reporter.status(client, status);
    await writeStatus(this.deps.client, client, status);
  }
}
