/** A client file is gone: its `Client` and its reports go too, unless a newer file took over. */

import type { ClientLookup } from './ports.js';
import { decideDeleted } from './decide.js';
import type { EventContext, Outcome } from './handling.js';
import { reportNames } from './report.js';

/** Removes the file's reports, then its `Client`, when the deletion is still the news. */
export async function handleDeleted(
  context: EventContext,
  current: ClientLookup,
): Promise<Outcome> {
  const { event, client, objects, clients } = context;
  const live = await objects.currentGeneration(event.bucket, event.name);
  const verdict = decideDeleted(event, current, live);
  if (verdict.action === 'ignore') return context.ignore(verdict.reason);
  // Reports first: if that fails, the retry still finds the Client and tries again.
  const names = reportNames(event.name);
  await Promise.all([
    objects.remove(event.bucket, names.json),
    objects.remove(event.bucket, names.text),
  ]);
  // The precondition makes a concurrent re-upload, applied since the lookup, win.
  await clients.remove(client, current.exists ? current.resourceVersion : undefined);
  context.log('NOTICE', `deleted Client ${client}: its file is gone`, {
    ...context.fields,
    client,
  });
  return { result: 'deleted', client };
}
