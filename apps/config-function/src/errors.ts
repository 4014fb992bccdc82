import { TransientError } from './ports.js';

const TRANSIENT_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The HTTP status of an error from a Google or Kubernetes client, if it carries one. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown };
  for (const value of [e.code, e.status, e.statusCode]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

function networkCode(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    typeof e === 'object' && e !== null && depth < 5;
    depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_NETWORK.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether retrying may fix the failure: network errors, 429, 5xx, and 409 (a concurrent change,
 * which the retry sees and decides on again).
 */
export function isTransient(error: unknown): boolean {
  const status = httpStatus(error);
  if (status !== undefined) return status === 429 || status >= 500 || status === 409;
  return (
    networkCode(error) !== undefined ||
    (error instanceof Error && /fetch failed|socket hang up|timeout/i.test(error.message))
  );
}

/** Rethrows `error` as a {@link TransientError} when retrying may fix it. */
export function classify(error: unknown, what: string): Error {
  const message = describeError(error);
  if (isTransient(error)) return new TransientError(`${what}: ${message}`, { cause: error });
  return error instanceof Error ? error : new Error(message);
}

/**
 * A one-line description of an error: the Kubernetes Status message when the error carries one
 * (client-node puts the whole response, headers included, in its message), else the first line.
 */
export function describeError(error: unknown): string {
  const body =
    typeof error === 'object' && error !== null ? (error as { body?: unknown }).body : undefined;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown };
      if (typeof status.message === 'string') return status.message;
    } catch {
      // Not a Status object; fall through to the error's own message.
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
