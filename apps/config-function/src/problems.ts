/** The problems the function reports itself, beside those the config parser finds. */

import type { Problem } from '@vigie/config';

/** The file's name is not a client ID, so no `Client` can come from it. */
export function invalidNameProblem(client: string): Problem {
  return {
    code: 'VIGIE_E_NAME_INVALID',
    message: `the file name "${client}" is not a client ID (lowercase letters, digits and '-')`,
    line: 1,
    column: 1,
  };
}

/** The file is over the size limit: it is refused unparsed. */
export function tooLargeProblem(size: number, maxBytes: number): Problem {
  return {
    code: 'VIGIE_E_INPUT_TOO_LARGE',
    message: `the file is ${String(size)} bytes, over the limit of ${String(maxBytes)} bytes`,
    line: 1,
    column: 1,
  };
}

/** The cluster refused the valid config's `Client` (for example an outdated CRD). */
export function clusterRejectedProblem(message: string): Problem {
  return { code: 'VIGIE_E_CLUSTER_REJECTED', message, line: 1, column: 1 };
}

/** A failure that retrying will not mend. */
export function internalProblem(message: string): Problem {
  return { code: 'VIGIE_E_INTERNAL', message, line: 1, column: 1 };
}
