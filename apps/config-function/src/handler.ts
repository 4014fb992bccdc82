/**
 * `process_client_config`: one storage event in; a `Client` applied or removed, a report
 * written, and a log line out. Transient failures throw, so that Eventarc retries; everything
 * else returns normally, so that a bad file is reported once and not retried forever.
 *
 * Its steps: a written file (`handle-finalized.ts`), a deleted one (`handle-deleted.ts`).
 */

import { describeError } from '@vigie/log';
import { DEFAULT_POLICY, triage } from './decide.js';
import type { StorageEvent } from './events.js';
import { DELETED, MalformedEventError, parseStorageEvent } from './events.js';
import { handleDeleted } from './handle-deleted.js';
import { handleFinalized } from './handle-finalized.js';
import type { EventContext, HandlerDeps, Outcome } from './handling.js';
import { TransientError } from './ports.js';
import { internalProblem, invalidNameProblem } from './problems.js';
import { writeReportFiles } from './write-report.js';

export type { HandlerDeps, Outcome } from './handling.js';

/** A Kubernetes object name (RFC 1123 label): what a client file's name must be. */
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

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
    const context: EventContext = {
      event,
      client: triaged.client,
      fields,
      objects,
      clients,
      log,
      policy,
      now,
      ignore,
    };
    try {
      return await handleEvent(context);
    } catch (error) {
      return await handleFailure(context, error);
    }
  };
}

/** Refuses a file whose name is no client ID, else hands the event to its step. */
async function handleEvent(context: EventContext): Promise<Outcome> {
  const { event, client } = context;
  if (!KUBERNETES_NAME.test(client)) {
    if (event.type === DELETED) return context.ignore(`"${client}" is not a client name`);
    const problems = [invalidNameProblem(client)];
    await writeReportFiles({
      objects: context.objects,
      event,
      client,
      problems,
      now: context.now(),
    });
    return { result: 'rejected', client, problems };
  }
  const current = await context.clients.lookup(client);
  return event.type === DELETED
    ? handleDeleted(context, current)
    : handleFinalized(context, current);
}

/** A transient failure is thrown again, to be retried; any other one is reported once. */
async function handleFailure(context: EventContext, error: unknown): Promise<Outcome> {
  const { event, client, log, fields } = context;
  const message = describeError(error);
  if (error instanceof TransientError) {
    log('ERROR', `failed, will be retried: ${message}`, { ...fields, client });
    throw error;
  }
  // Retrying will not help: say so once, in the logs and next to the file, and acknowledge.
  log('ERROR', `failed: ${message}`, { ...fields, client });
  if (event.type === DELETED) return { result: 'ignored', reason: message };
  const problems = [internalProblem(message)];
  await writeReportFiles({ objects: context.objects, event, client, problems, now: context.now() });
  return { result: 'rejected', client, problems };
}
