/**
 * The console's domain errors: each a {@link VigieError} with a stable code from the registry
 * (`RUNTIME_CODES` in `@vigie/log`). The class says what went wrong for the caller; only the
 * HTTP layer (`app.ts`) maps a class to a status.
 */

import { VigieError, type RuntimeCode } from '@vigie/log';

/**
 * The one shape of the console's domain errors: a {@link VigieError} with a name and, unless
 * the class takes it per throw, one fixed code.
 */
function domainError<C extends RuntimeCode>(name: string, code: C) {
  return class extends VigieError {
    override readonly name: string = name;
    declare readonly code: C;
    constructor(message: string) {
      super(code, message);
    }
  };
}

/**
 * A request that cannot be understood: bad JSON, a missing field, a value out of range. Its
 * code says which (`VIGIE_E_BAD_REQUEST`, `VIGIE_E_QUERY_INVALID`, `VIGIE_E_UNSTORABLE`,
 * `VIGIE_E_INGEST_INVALID`).
 */
export class InputError extends VigieError {
  override readonly name: string = 'InputError';
}

/** No valid credentials. */
export class AuthError extends domainError('AuthError', 'VIGIE_E_UNAUTHENTICATED') {}

/** Valid credentials, for something else: another tenant's data. */
export class ForbiddenError extends domainError('ForbiddenError', 'VIGIE_E_FORBIDDEN') {}

/** The thing asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends domainError('NotFoundError', 'VIGIE_E_NOT_FOUND') {}

/** A body larger than its route takes, known from its `Content-Length` before it is read. */
export class TooLargeError extends domainError('TooLargeError', 'VIGIE_E_TOO_LARGE') {}

/** A detector post without `Content-Length`: its cost must be known before it is read. */
export class LengthRequiredError extends domainError(
  'LengthRequiredError',
  'VIGIE_E_LENGTH_REQUIRED',
) {}

/** A tenant over its ingest budget; it may try again after `retryAfterSeconds`. */
export class RateLimitError extends domainError('RateLimitError', 'VIGIE_E_RATE_LIMITED') {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
