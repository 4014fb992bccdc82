/**
 * A client file was written: its config is checked and, when valid and still the live
 * generation, applied as the `Client`; either way, a report goes next to the file.
 */

import type { Problem } from '@vigie/config';
import { parseClientConfig, toClientResource } from '@vigie/config';
import { decideFinalized } from './decide.js';
import type { EventContext, Outcome } from './handling.js';
import type { ClientLookup } from './ports.js';
import { ClusterRejectedError } from './ports.js';
import { clusterRejectedProblem, tooLargeProblem } from './problems.js';
import { writeReportFiles } from './write-report.js';

/** Checks and applies the written file, and reports on it. */
export async function handleFinalized(
  context: EventContext,
  current: ClientLookup,
): Promise<Outcome> {
  const { event, policy } = context;
  const verdict = decideFinalized(event, current, policy);
  if (verdict.action === 'ignore') return context.ignore(verdict.reason);
  const checked =
    verdict.action === 'reject-size'
      ? { problems: [tooLargeProblem(event.size ?? policy.maxBytes + 1, policy.maxBytes)] }
      : await readAndApply(context, current);
  if ('outcome' in checked) return checked.outcome;
  return report(context, checked.problems);
}

/** Reads the generation and applies it when valid; the problems are empty when it was applied. */
async function readAndApply(
  context: EventContext,
  current: ClientLookup,
): Promise<{ readonly problems: readonly Problem[] } | { readonly outcome: Outcome }> {
  const { event, client, objects, policy } = context;
  const bytes = await objects.read(event.bucket, event.name, event.generation);
  if (bytes === undefined) {
    return {
      outcome: context.ignore(
        `generation ${event.generation} no longer exists; a newer one supersedes it`,
      ),
    };
  }
  if (bytes.length > policy.maxBytes) {
    return { problems: [tooLargeProblem(bytes.length, policy.maxBytes)] };
  }
  const result = parseClientConfig(bytes, { expectedId: client });
  if (!result.ok) return { problems: result.problems };
  // Events for one file may be handled concurrently: apply only the live generation.
  const live = await objects.currentGeneration(event.bucket, event.name);
  if (live !== event.generation) {
    return {
      outcome: context.ignore(
        `generation ${event.generation} is no longer the live one (${live ?? 'deleted'})`,
      ),
    };
  }
  const source = { bucket: event.bucket, object: event.name, generation: event.generation };
  try {
    await context.clients.apply(
      toClientResource(result.config, source),
      current.exists ? current.resourceVersion : undefined,
    );
    return { problems: [] };
  } catch (error) {
    if (!(error instanceof ClusterRejectedError)) throw error;
    return { problems: [clusterRejectedProblem(error.message)] };
  }
}

/** Writes the report next to the file, and logs the result. */
async function report(context: EventContext, problems: readonly Problem[]): Promise<Outcome> {
  const { event, client, log, fields } = context;
  const written = await writeReportFiles({
    objects: context.objects,
    event,
    client,
    problems,
    now: context.now(),
  });
  if (problems.length === 0) {
    log('INFO', `applied Client ${client}`, { ...fields, client });
    return { result: 'applied', client };
  }
  log(
    'WARNING',
    `rejected ${event.name}: ${String(problems.length)} problems; the previous config keeps running`,
    { ...fields, client, problems: written.problems.map((p) => p.text) },
  );
  return { result: 'rejected', client, problems };
}
