/**
 * The function's policy, as pure functions that return a verdict. The handler carries verdicts
 * out; nothing here does I/O.
 */

import type { ConfigSource } from '@vigie/config';
import type { StorageEvent } from './events.js';
import type { ClientLookup } from './ports.js';
import { compareGenerations } from './events.js';

/** Settings that shape the policy. */
export interface Policy {
  /** The folder of the bucket that holds client configs, with its trailing slash. */
  readonly prefix: string;
  /** Events older than this are dropped. */
  readonly maxEventAgeMs: number;
  /** Files larger than this are rejected without being read. */
  readonly maxBytes: number;
}

/**
 * The default policy: `client-configs/`, one hour, 1 MiB. A `Client` must fit in one etcd
 * request (about 1.5 MiB), and a 500-camera config is about 330 KiB of XML.
 */
export const DEFAULT_POLICY: Policy = {
  prefix: 'client-configs/',
  maxEventAgeMs: 60 * 60 * 1000,
  maxBytes: 1024 * 1024,
};

/** What to do first with an event, before looking at the cluster. */
export type Triage =
  | { readonly action: 'ignore'; readonly reason: string }
  | { readonly action: 'process'; readonly client: string };

/**
 * Which events concern a client config: `PREFIX<client>.xml` directly in the prefix folder,
 * not too old. The client's name is the file's name, so a delete event, which carries no
 * content, still says which client it concerns.
 */
export function triage(event: StorageEvent, policy: Policy, now: Date): Triage {
  if (!event.name.startsWith(policy.prefix)) {
    return { action: 'ignore', reason: `not under ${policy.prefix}` };
  }
  const file = event.name.slice(policy.prefix.length);
  if (!file.endsWith('.xml') || file.includes('/')) {
    return { action: 'ignore', reason: `not a client config (${policy.prefix}<client>.xml)` };
  }
  if (event.time !== undefined && now.getTime() - event.time.getTime() > policy.maxEventAgeMs) {
    return {
      action: 'ignore',
      reason: `stale: the event is older than ${String(policy.maxEventAgeMs / 1000)} s`,
    };
  }
  return { action: 'process', client: file.slice(0, -'.xml'.length) };
}

/** What to do with a `finalized` event, given where the current `Client` came from. */
export type FinalizedVerdict =
  | { readonly action: 'ignore'; readonly reason: string }
  | { readonly action: 'reject-size' }
  | { readonly action: 'validate' };

/** Decides on a `finalized` event. Re-processing the applied generation is harmless. */
export function decideFinalized(
  event: StorageEvent,
  client: ClientLookup,
  policy: Policy,
): FinalizedVerdict {
  const current = client.exists ? client.source : undefined;
  if (
    current !== undefined &&
    sameObject(current, event) &&
    compareGenerations(event.generation, current.generation) < 0
  ) {
    return {
      action: 'ignore',
      reason: `generation ${event.generation} is older than the applied ${current.generation}`,
    };
  }
  if (event.size !== undefined && event.size > policy.maxBytes) return { action: 'reject-size' };
  return { action: 'validate' };
}

/** What to do with a `deleted` event. */
export type DeletedVerdict =
  { readonly action: 'ignore'; readonly reason: string } | { readonly action: 'delete' };

/**
 * Decides on a `deleted` event. Overwriting a file sends `deleted` for the old generation too,
 * in any order with `finalized` for the new one, so the `Client` is removed only when the object
 * is really gone (`live` is undefined), and only if it came from this object.
 */
export function decideDeleted(
  event: StorageEvent,
  client: ClientLookup,
  live: string | undefined,
): DeletedVerdict {
  if (!client.exists) return { action: 'ignore', reason: 'no Client exists for this file' };
  const current = client.source;
  if (current === undefined)
    return { action: 'ignore', reason: 'the Client was not applied from a bucket file' };
  if (!sameObject(current, event)) {
    return {
      action: 'ignore',
      reason: `the Client came from gs://${current.bucket}/${current.object}`,
    };
  }
  if (live !== undefined) {
    return {
      action: 'ignore',
      reason: `the object still exists at generation ${live} (overwritten, not deleted)`,
    };
  }
  return { action: 'delete' };
}

function sameObject(source: ConfigSource, event: StorageEvent): boolean {
  return source.bucket === event.bucket && source.object === event.name;
}
