/**
 * What every router gets: the app's ports. Who is asking and what the request holds reach each
 * handler checked, through the pipeline of `http/route.ts`; the parsers are in `schemas.ts`.
 */

import type { AlertHub } from '../live.js';
import type { ConsoleMetrics } from '../metrics.js';
import type { ClientDirectory, EvidenceStore } from '../ports.js';
import type { IncomingAlert } from '../storage/alerts.js';
import type { Sql } from '../storage/db.js';

/** Called for each newly stored alert, inside its transaction (the notifications' rows). */
export type AlertStoredHook = (alert: IncomingAlert, tx: Sql) => Promise<void>;

/** The routers' shared context. */
export interface RouteContext {
  readonly sql: Sql;
  readonly evidence: EvidenceStore;
  readonly directory: ClientDirectory;
  readonly metrics: ConsoleMetrics;
  readonly hub: AlertHub;
  readonly onAlertStored?: AlertStoredHook;
  readonly now: () => Date;
}
