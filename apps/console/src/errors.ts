/**
 * The console's domain errors, each with a stable code. Only the HTTP layer (`app.ts`) maps
 * them to statuses.
 */

/** A request that cannot be understood: bad JSON, a missing field, a value out of range. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** No valid credentials. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly code = 'VIGIE_E_UNAUTHENTICATED';
}

/** Valid credentials, for something else: another tenant's data. */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
  readonly code = 'VIGIE_E_FORBIDDEN';
}

/** The thing asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  readonly code = 'VIGIE_E_NOT_FOUND';
}

/** A body larger than its route takes, known from its `Content-Length` before it is read. */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
  readonly code = 'VIGIE_E_TOO_LARGE';
}

/** A detector post without `Content-Length`: its cost must be known before it is read. */
export class LengthRequiredError extends Error {
  override readonly name = 'LengthRequiredError';
  readonly code = 'VIGIE_E_LENGTH_REQUIRED';
}

/** A tenant over its ingest budget; it may try again after `retryAfterSeconds`. */
export class RateLimitError extends Error {
  override readonly name = 'RateLimitError';
  readonly code = 'VIGIE_E_RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
