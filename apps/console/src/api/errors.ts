/**
 * The body of every answer of the console's API that is not a success: a stable code
 * (`VIGIE_E_*`, documented in docs/runtime-codes.md) and a sentence for people.
 */

/**
 * An error answer's body. Some answers add fields of their own (a repeated ingest's 409 names the
 * stored alert's `id` and `key`); these two are in every one.
 */
export interface ApiErrorBody {
  /** The stable code, `VIGIE_E_*`: what programs branch on. */
  readonly code: string;
  /** A sentence for people; never the text of an internal failure. */
  readonly message: string;
}

/**
 * Reads an error answer's body; undefined when it is not the console's shape (a proxy's page,
 * say), so that the caller falls back on the status line. Extra fields are ignored.
 */
export function parseApiErrorBody(value: unknown): ApiErrorBody | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { code, message } = value as Record<string, unknown>;
  if (typeof code !== 'string' || code === '' || typeof message !== 'string') return undefined;
  return { code, message };
}
