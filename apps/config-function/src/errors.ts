import { describeError, isTransient } from '@vigie/log';
import { TransientError } from './ports.js';

/** Rethrows `error` as a {@link TransientError} when retrying may fix it. */
export function classify(error: unknown, what: string): Error {
  const message = describeError(error);
  if (isTransient(error)) return new TransientError(`${what}: ${message}`, { cause: error });
  return error instanceof Error ? error : new Error(message);
}
