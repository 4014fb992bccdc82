/**
 * Cloud Storage events as Eventarc delivers them (CloudEvents with a `StorageObjectData` body),
 * parsed from `unknown` at the edge.
 */

/** The event types the function handles. */
export const FINALIZED = 'google.cloud.storage.object.v1.finalized';
export const DELETED = 'google.cloud.storage.object.v1.deleted';

/** One storage event, reduced to what the function needs. */
export interface StorageEvent {
  readonly id: string;
  readonly type: typeof FINALIZED | typeof DELETED;
  /** When the event happened (the CloudEvent `time`), if given. */
  readonly time: Date | undefined;
  readonly bucket: string;
  readonly name: string;
  /** GCS generations are int64, sent as decimal strings. */
  readonly generation: string;
  /** The object size in bytes, as GCS sends it (a decimal string). */
  readonly size: number | undefined;
}

/** Why an event could not be read; such events are dropped with a log line, never retried. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

function field(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** Reads a CloudEvent (as the Functions Framework hands it over) into a {@link StorageEvent}. */
export function parseStorageEvent(event: unknown): StorageEvent {
  if (typeof event !== 'object' || event === null)
    throw new MalformedEventError('the event is not an object');
  const e = event as Record<string, unknown>;
  const type = e.type;
  if (type !== FINALIZED && type !== DELETED) {
    throw new MalformedEventError(`unsupported event type ${JSON.stringify(type)}`);
  }
  let data = e.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      throw new MalformedEventError('the event data is not JSON');
    }
  }
  if (typeof data !== 'object' || data === null)
    throw new MalformedEventError('the event has no data');
  const d = data as Record<string, unknown>;
  const bucket = field(d, 'bucket');
  const name = field(d, 'name');
  const generation = field(d, 'generation');
  if (!bucket || !name || !generation || !/^[0-9]{1,20}$/.test(generation)) {
    throw new MalformedEventError('the event data lacks a bucket, a name or a numeric generation');
  }
  const size = field(d, 'size');
  const time = typeof e.time === 'string' ? new Date(e.time) : undefined;
  return {
    id: typeof e.id === 'string' ? e.id : '',
    type,
    time: time && !Number.isNaN(time.getTime()) ? time : undefined,
    bucket,
    name,
    generation,
    size: size !== undefined && /^[0-9]+$/.test(size) ? Number(size) : undefined,
  };
}

/** Compares two generations (decimal int64 strings). */
export function compareGenerations(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
