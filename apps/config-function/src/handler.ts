/**
 * `process_client_config`: one storage event in; a `Client` applied or removed, a report
 * written, and a log line out. Transient failures throw, so that Eventarc retries; everything
 * else returns normally, so that a bad file is reported once and not retried forever.
 */

import type { Problem } from '@vigie/config';
import { parseClientConfig, toClientResource } from '@vigie/config';
import type { Policy } from './decide.js';
import { decideDeleted, decideFinalized, DEFAULT_POLICY, triage } from './decide.js';
import type { StorageEvent } from './events.js';
import { DELETED, MalformedEventError, parseStorageEvent } from './events.js';
import type { Logger } from './log.js';
import type { ClientStore, ObjectStore } from './ports.js';
import { ClusterRejectedError } from './ports.js';
import { buildReport, formatReportText, reportNames } from './report.js';

/** What the handler needs. */
export interface HandlerDeps {
  readonly objects: ObjectStore;
  readonly clients: ClientStore;
  readonly log: Logger;
  readonly policy?: Policy;
  readonly now?: () => Date;
}

/** What the handler did with an event. */
export type Outcome =
  | { readonly result: 'ignored'; readonly reason: string }
  | { readonly result: 'applied'; readonly client: string }
  | { readonly result: 'rejected'; readonly client: string; readonly problems: readonly Problem[] }
  | { readonly result: 'deleted'; readonly client: string };

/** Builds the event handler. */
export function createHandler(deps: HandlerDeps): (event: unknown) => Promise<Outcome> {
  const policy = deps.policy ?? DEFAULT_POLICY;
  const now = deps.now ?? (() => new Date());
  const { objects, clients, log } = deps;

  return async (raw) => {
    let event: StorageEvent;
    try {
      event = parseStorageEvent(raw);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      log({
        severity: 'WARNING',
        message: `dropped an event that cannot be read: ${error.message}`,
      });
      return { result: 'ignored', reason: error.message };
    }
    const fields = {
      bucket: event.bucket,
      object: event.name,
      generation: event.generation,
      eventId: event.id,
      eventType: event.type,
    };
    const ignore = (reason: string): Outcome => {
      log({ severity: 'INFO', message: `ignored: ${reason}`, ...fields });
      return { result: 'ignored', reason };
    };

    const triaged = triage(event, policy, now());
    if (triaged.action === 'ignore') return ignore(triaged.reason);
    const client = triaged.client;
    const current = await clients.lookup(client);

    if (event.type === DELETED) {
      const live = await objects.currentGeneration(event.bucket, event.name);
      const verdict = decideDeleted(event, current, live);
      if (verdict.action === 'ignore') return ignore(verdict.reason);
      await clients.remove(client);
      const names = reportNames(event.name);
      await Promise.all([
        objects.remove(event.bucket, names.json),
        objects.remove(event.bucket, names.text),
      ]);
      log({
        severity: 'NOTICE',
        message: `deleted Client ${client}: its file is gone`,
        ...fields,
        client,
      });
      return { result: 'deleted', client };
    }

    const verdict = decideFinalized(event, current, policy);
    if (verdict.action === 'ignore') return ignore(verdict.reason);

    let problems: readonly Problem[];
    if (verdict.action === 'reject-size') {
      problems = [
        {
          code: 'VIGIE_E_INPUT_TOO_LARGE',
          message: `the file is ${String(event.size)} bytes, over the limit of ${String(policy.maxBytes)} bytes`,
          line: 1,
          column: 1,
        },
      ];
    } else {
      const bytes = await objects.read(event.bucket, event.name, event.generation);
      if (bytes === undefined)
        return ignore(`generation ${event.generation} no longer exists; a newer one supersedes it`);
      const result = parseClientConfig(bytes, { expectedId: client });
      if (result.ok) {
        const source = { bucket: event.bucket, object: event.name, generation: event.generation };
        try {
          await clients.apply(toClientResource(result.config, source));
          problems = [];
        } catch (error) {
          if (!(error instanceof ClusterRejectedError)) throw error;
          problems = [
            { code: 'VIGIE_E_CLUSTER_REJECTED', message: error.message, line: 1, column: 1 },
          ];
        }
      } else {
        problems = result.problems;
      }
    }

    const report = buildReport({ ...fields, object: event.name, client, problems, now: now() });
    const names = reportNames(event.name);
    await Promise.all([
      objects.write(
        event.bucket,
        names.json,
        `${JSON.stringify(report, null, 2)}\n`,
        'application/json',
      ),
      objects.write(
        event.bucket,
        names.text,
        formatReportText(report),
        'text/plain; charset=utf-8',
      ),
    ]);
    if (problems.length === 0) {
      log({ severity: 'INFO', message: `applied Client ${client}`, ...fields, client });
      return { result: 'applied', client };
    }
    log({
      severity: 'WARNING',
      message: `rejected ${event.name}: ${String(problems.length)} problems; the previous config keeps running`,
      ...fields,
      client,
      problems: report.problems.map((p) => p.text),
    });
    return { result: 'rejected', client, problems };
  };
}
