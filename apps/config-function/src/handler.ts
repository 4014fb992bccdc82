/**
 * `process_client_config`: one storage event in; a `Client` applied or removed, a report
 * written, and a log line out. Transient failures throw, so that Eventarc retries; everything
 * else returns normally, so that a bad file is reported once and not retried forever.
 */

import type { Problem } from '@vigie/config';
import { parseClientConfig, toClientResource } from '@vigie/config';
import type { Logger } from '@vigie/log';
import { describeError } from '@vigie/log';
import type { Policy } from './decide.js';
import { decideDeleted, decideFinalized, DEFAULT_POLICY, triage } from './decide.js';
import type { StorageEvent } from './events.js';
import { DELETED, MalformedEventError, parseStorageEvent } from './events.js';
import type { ClientStore, ObjectStore } from './ports.js';
import { ClusterRejectedError, TransientError } from './ports.js';
import { buildReport, formatReportText, reportNames } from './report.js';

/** A Kubernetes object name (RFC 1123 label): what a client file's name must be. */
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

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
      log('WARNING', `dropped an event that cannot be read: ${error.message}`);
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
      log('INFO', `ignored: ${reason}`, fields);
      return { result: 'ignored', reason };
    };

    const triaged = triage(event, policy, now());
    if (triaged.action === 'ignore') return ignore(triaged.reason);
    const client = triaged.client;
    try {
      return await handleEvent(event, client, fields, ignore);
    } catch (error) {
      const message = describeError(error);
      if (error instanceof TransientError) {
        log('ERROR', `failed, will be retried: ${message}`, { ...fields, client });
        throw error;
      }
      // Retrying will not help: say so once, in the logs and next to the file, and acknowledge.
      log('ERROR', `failed: ${message}`, { ...fields, client });
      if (event.type === DELETED) return { result: 'ignored', reason: message };
      const problems = [{ code: 'VIGIE_E_INTERNAL' as const, message, line: 1, column: 1 }];
      await writeReport(event, client, problems);
      return { result: 'rejected', client, problems };
    }
  };

  async function writeReport(event: StorageEvent, client: string, problems: readonly Problem[]) {
    const report = buildReport({
      bucket: event.bucket,
      object: event.name,
      generation: event.generation,
      client,
      problems,
      now: now(),
    });
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
    return report;
  }

  async function handleEvent(
    event: StorageEvent,
    client: string,
    fields: Record<string, string>,
    ignore: (reason: string) => Outcome,
  ): Promise<Outcome> {
    if (!KUBERNETES_NAME.test(client)) {
      if (event.type === DELETED) return ignore(`"${client}" is not a client name`);
      const problems: Problem[] = [
        {
          code: 'VIGIE_E_NAME_INVALID',
          message: `the file name "${client}" is not a client ID (lowercase letters, digits and '-')`,
          line: 1,
          column: 1,
        },
      ];
      await writeReport(event, client, problems);
      return { result: 'rejected', client, problems };
    }
    const current = await clients.lookup(client);

    if (event.type === DELETED) {
      const live = await objects.currentGeneration(event.bucket, event.name);
      const verdict = decideDeleted(event, current, live);
      if (verdict.action === 'ignore') return ignore(verdict.reason);
      // Reports first: if that fails, the retry still finds the Client and tries again.
      const names = reportNames(event.name);
      await Promise.all([
        objects.remove(event.bucket, names.json),
        objects.remove(event.bucket, names.text),
      ]);
      // The precondition makes a concurrent re-upload, applied since the lookup, win.
      await clients.remove(client, current.exists ? current.resourceVersion : undefined);
      log('NOTICE', `deleted Client ${client}: its file is gone`, { ...fields, client });
      return { result: 'deleted', client };
    }

    const verdict = decideFinalized(event, current, policy);
    if (verdict.action === 'ignore') return ignore(verdict.reason);

    let problems: readonly Problem[];
    const tooLarge = (size: number): Problem[] => [
      {
        code: 'VIGIE_E_INPUT_TOO_LARGE',
        message: `the file is ${String(size)} bytes, over the limit of ${String(policy.maxBytes)} bytes`,
        line: 1,
        column: 1,
      },
    ];
    if (verdict.action === 'reject-size') {
      problems = tooLarge(event.size ?? policy.maxBytes + 1);
    } else {
      const bytes = await objects.read(event.bucket, event.name, event.generation);
      if (bytes === undefined) {
        return ignore(`generation ${event.generation} no longer exists; a newer one supersedes it`);
      }
      const result =
        bytes.length > policy.maxBytes
          ? undefined
          : parseClientConfig(bytes, { expectedId: client });
      if (result === undefined) {
        problems = tooLarge(bytes.length);
      } else if (result.ok) {
        // Events for one file may be handled concurrently: apply only the live generation.
        const live = await objects.currentGeneration(event.bucket, event.name);
        if (live !== event.generation) {
          return ignore(
            `generation ${event.generation} is no longer the live one (${live ?? 'deleted'})`,
          );
        }
        const source = { bucket: event.bucket, object: event.name, generation: event.generation };
        try {
          await clients.apply(
            toClientResource(result.config, source),
            current.exists ? current.resourceVersion : undefined,
          );
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

    const report = await writeReport(event, client, problems);
    if (problems.length === 0) {
      log('INFO', `applied Client ${client}`, { ...fields, client });
      return { result: 'applied', client };
    }
    log(
      'WARNING',
      `rejected ${event.name}: ${String(problems.length)} problems; the previous config keeps running`,
      { ...fields, client, problems: report.problems.map((p) => p.text) },
    );
    return { result: 'rejected', client, problems };
  }
}
