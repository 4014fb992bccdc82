import { VigieError } from '@vigie/log';

/** A `vigie up` failure that people can act on, with a stable code. */
export class LocalPlatformError extends VigieError {
  override readonly name = 'LocalPlatformError';
}
