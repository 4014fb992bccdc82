/** What the steps of handling one storage event share. */

import type { Problem } from '@vigie/config';
import type { Logger } from '@vigie/log';
import type { Policy } from './decide.js';
import type { StorageEvent } from './events.js';
import type { ClientStore, ObjectStore } from './ports.js';

/** What the handler needs. */
export interface HandlerDeps {
  readonly objects: ObjectStore;
  readonly clients: ClientStore;
  readonly log: Logger;
  readonly policy?: Policy;
  readonly now?: () => Date;
}

/** What the handler did with an event. */
export type Outcome =
  | { readonly result: 'ignored'; readonly reason: string }
  | { readonly result: 'applied'; readonly client: string }
  | { readonly result: 'rejected'; readonly client: string; readonly problems: readonly Problem[] }
  | { readonly result: 'deleted'; readonly client: string };

/** One event being handled: the event, its client, and the handler's ports. */
export interface EventContext {
  readonly event: StorageEvent;
  /** The client the file names. */
  readonly client: string;
  /** What every log line about this event carries. */
  readonly fields: Readonly<Record<string, string>>;
  readonly objects: ObjectStore;
  readonly clients: ClientStore;
  readonly log: Logger;
  readonly policy: Policy;
  readonly now: () => Date;
  /** Logs why the event needs nothing done, and says so. */
  readonly ignore: (reason: string) => Outcome;
}
