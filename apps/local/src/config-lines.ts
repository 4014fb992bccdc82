/** What `vigie up` prints for people on each config event. */

import type { Outcome } from '@vigie/config-function';

/**
 * One line (with its problems below it, at most ten) for a config file's outcome, or undefined
 * when it is no news: reports written next to the files come back as events too.
 */
export function describeConfigOutcome(name: string, outcome: Outcome | Error): string | undefined {
  if (outcome instanceof Error)
    return `${name}: could not be processed (${outcome.message}); retrying`;
  switch (outcome.result) {
    case 'applied':
      return `${name}: applied, client ${outcome.client} is being started`;
    case 'rejected':
      return `${name}: REJECTED, ${String(outcome.problems.length)} problem(s); the previous config keeps running\n${outcome.problems
        .slice(0, 10)
        .map((p) => `    ${String(p.line)}:${String(p.column)} ${p.code} ${p.message}`)
        .join('\n')}`;
    case 'deleted':
      return `${name}: deleted, client ${outcome.client} is being removed`;
    case 'ignored':
      return undefined;
  }
}
