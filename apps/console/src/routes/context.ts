/**
 * What every router gets: the app's ports and checked query values. Who is asking comes from
 * `http/callers.ts`, decided before the body is read.
 */

import { InputError } from '../errors.js';
import { parseStorableTime } from '../http/storable.js';
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

const CLIENT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Reads checked values from a query string; a bad one is a 400 naming the parameter. */
export function queryReader(query: unknown) {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const bad = (name: string, what: string): never => {
    throw new InputError('VIGIE_E_QUERY_INVALID', `${name} must be ${what}`);
  };
  const raw = (name: string): string | undefined => {
    const value = q[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') return bad(name, 'given once');
    return value;
  };
  return {
    client(name = 'client') {
      const value = raw(name);
      if (value !== undefined && !CLIENT.test(value)) bad(name, 'a client ID');
      return value;
    },
    text(name: string) {
      const value = raw(name);
      if (value !== undefined && (value.length > 128 || !ID.test(value))) {
        bad(name, 'up to 128 letters, digits, - or _');
      }
      return value;
    },
    oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
      const value = raw(name);
      if (value !== undefined && !values.includes(value as T)) bad(name, values.join(', or '));
      return value as T | undefined;
    },
    time(name: string) {
      const value = raw(name);
      if (value === undefined) return undefined;
      return parseStorableTime(value, name) ?? bad(name, 'an ISO 8601 time');
    },
    integer(name: string, min: number, max: number, fallback: number) {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
        bad(name, `a whole number from ${String(min)} to ${String(max)}`);
      }
      return Number(value);
    },
    raw,
  };
}

/** An alert ID from a path, checked. */
export function alertIdParam(params: unknown): string {
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !ID.test(id)) {
    throw new InputError(
      'VIGIE_E_QUERY_INVALID',
      'the alert ID must be 1 to 128 letters, digits, - or _',
    );
  }
  return id;
}
