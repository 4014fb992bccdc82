/**
 * Vigie's runtime errors: one base class carrying a registered code, and the helpers that
 * normalise an `unknown` thrown value at a boundary (its message, its code, whether retrying may
 * fix it).
 */

import { RUNTIME_CODES, type RuntimeCode } from './runtime-codes.js';

/** How a {@link VigieError} is built beyond its code and message. */
export interface VigieErrorOptions {
  /** The error this one explains. */
  readonly cause?: unknown;
  /** Overrides the registry's default for this code, for a code that is retried only sometimes. */
  readonly transient?: boolean;
}

/**
 * A failure people can act on: a stable code from {@link RUNTIME_CODES}, whether retrying may
 * fix it, and optionally the error that caused it. A subclass may narrow `Code` to the codes it
 * can carry.
 */
export class VigieError<Code extends RuntimeCode = RuntimeCode> extends Error {
  override readonly name: string = 'VigieError';
  /** The stable code, documented in `docs/runtime-codes.md`. */
  readonly code: Code;
  /** Whether retrying, with nothing changed, may make it go away. */
  readonly transient: boolean;

  constructor(code: Code, message: string, options: VigieErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    this.transient = options.transient ?? RUNTIME_CODES[code].transient;
  }
}

/** The message of a thrown value: an `Error`'s message, anything else as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A thrown value as an `Error`: itself when it is one, else a new `Error` whose message is the
 * value as text. For the places that must hand on an `Error` (a callback, a pool, a log of the
 * stack) whatever was thrown, since JavaScript lets anything be thrown.
 */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** A Vigie code: a runtime code or a config problem code. */
export type VigieCode = `VIGIE_E_${string}`;

function isVigieCode(value: unknown): value is VigieCode {
  return typeof value === 'string' && value.startsWith('VIGIE_E_');
}

/**
 * The Vigie code an error carries in its own `code` field, runtime or config problem code alike,
 * or undefined for anything else (a Node error such as `ENOENT`, a number, no code at all).
 */
export function errorCode(error: unknown): VigieCode | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return isVigieCode(code) ? code : undefined;
}

/** The HTTP status an error from a Google, Kubernetes or HTTP client carries, if any. */
export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; status?: unknown; statusCode?: unknown };
  for (const value of [e.code, e.status, e.statusCode]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

/** Node and undici codes of network failures that a retry may not meet again. */
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

/** How deep the cause chain is searched: client libraries wrap a socket error two or three times. */
const CAUSE_DEPTH = 5;

function networkCode(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    typeof e === 'object' && e !== null && depth < CAUSE_DEPTH;
    depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_NETWORK.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Whether retrying may fix the failure. An error that says so itself (a {@link VigieError}, or
 * any error with a boolean `transient`, such as the operator's API errors) is taken at its word.
 * Otherwise: HTTP 429, 5xx, and 409 (a concurrent change, which the retry sees and decides on
 * again) from a `status`, `statusCode` or numeric `code`; a network error code anywhere in the
 * cause chain; or a message saying the fetch failed, the socket hung up or timed out.
 */
export function isTransient(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const own = (error as { transient?: unknown }).transient;
    if (typeof own === 'boolean') return own;
  }
  const status = httpStatus(error);
  if (status !== undefined) return status === 429 || status >= 500 || status === 409;
  return (
    networkCode(error) !== undefined ||
    (error instanceof Error && /fetch failed|socket hang up|timeout/i.test(error.message))
  );
}

/**
 * A one-line description of an error: the Kubernetes Status message when the error carries one
 * in a JSON `body` (client libraries put the whole response, headers included, in their
 * message), else the first line of its message.
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
  const message = errorMessage(error);
  return message.split('\n')[0] ?? message;
}
