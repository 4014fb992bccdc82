/**
 * What each route reads, as the parsers routes declare for their path, query and body (run by
 * `http/route.ts` before any handler). Each throws an `InputError` naming the first bad value:
 * `VIGIE_E_QUERY_INVALID` for paths and queries, `VIGIE_E_BAD_REQUEST` for a review, and
 * `VIGIE_E_INGEST_INVALID` for what detectors send (whose alert body is `parseAlertPost`, in
 * `ingest.ts`). Pure: no parser touches storage.
 */

import { ALERT_KEY_PATTERN } from '@vigie/config';
import { InputError } from '../errors.js';
import { parseStorableTime } from '../http/storable.js';
import type { AlertQuery } from '../storage/alerts.js';

const CLIENT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** An alert's review states, as `?status=` filters by them. */
export const ALERT_STATUSES = ['new', 'confirmed', 'dismissed'] as const;
/** What a review may decide. */
export const VERDICTS = ['confirmed', 'dismissed'] as const;
/** The kinds of evidence an alert may have. */
export const EVIDENCE_KINDS = ['snapshot', 'clip'] as const;

/** A review's verdict. */
export type Verdict = (typeof VERDICTS)[number];
/** A kind of evidence. */
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

const queryInvalid = (message: string) => new InputError('VIGIE_E_QUERY_INVALID', message);

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Reads checked values from a query string; a bad one is a 400 naming the parameter. */
export function queryReader(query: unknown) {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const bad = (name: string, what: string): never => {
    throw queryInvalid(`${name} must be ${what}`);
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

/** A page cursor: the last alert's time and ID, opaque to callers. */
export function encodeCursor(next: { detectedAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([next.detectedAt, next.id])).toString('base64url');
}

function decodeCursor(cursor: string): { detectedAt: string; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // Reported below.
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    typeof value[1] === 'string' &&
    ID.test(value[1])
  ) {
    const detectedAt = parseStorableTime(value[0], 'cursor');
    if (detectedAt !== undefined) return { detectedAt, id: value[1] };
  }
  throw queryInvalid('cursor must be a nextCursor from a previous page');
}

function alertId(params: unknown): string {
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !ID.test(id)) {
    throw queryInvalid('the alert ID must be 1 to 128 letters, digits, - or _');
  }
  return id;
}

/** `/alerts/:id`: the alert's ID. */
export function parseAlertParams(params: unknown): { readonly id: string } {
  return { id: alertId(params) };
}

/**
 * `/alerts/:id/evidence/:kind`: the alert's ID, and the kind as asked. An unknown kind is not
 * refused here: it answers 404 once the alert is known to be the caller's.
 */
export function parseEvidenceParams(params: unknown): {
  readonly id: string;
  readonly kind: string;
} {
  const id = alertId(params);
  return { id, kind: String((params as { kind?: unknown }).kind) };
}

/** Whether a kind asked for is one an alert can have. */
export function isEvidenceKind(kind: string): kind is EvidenceKind {
  return (EVIDENCE_KINDS as readonly string[]).includes(kind);
}

/** `GET /alerts`: the client asked for, and the page's filters. */
export interface AlertListQuery {
  /** The one client asked for; the caller's clients narrow it. */
  readonly client?: string;
  readonly filter: Omit<AlertQuery, 'clients'>;
}

/** `GET /alerts?client&limit&camera&rule&status&from&to&cursor`. */
export function parseAlertListQuery(query: unknown): AlertListQuery {
  const q = queryReader(query);
  const cursor = q.raw('cursor');
  const client = q.client();
  const filter = {
    limit: q.integer('limit', 1, 200, 50),
    ...optional('camera', q.text('camera')),
    ...optional('rule', q.text('rule')),
    ...optional('status', q.oneOf('status', ALERT_STATUSES)),
    ...optional('from', q.time('from')),
    ...optional('to', q.time('to')),
    ...(cursor === undefined ? {} : { after: decodeCursor(cursor) }),
  };
  return { ...optional('client', client), filter };
}

/** A review: the verdict and an optional note, trimmed (a blank note is none). */
export interface ReviewBody {
  readonly verdict: Verdict;
  readonly note?: string;
}

/** `POST /alerts/:id/review`: `{"verdict": "confirmed" | "dismissed", "note"?: text}`. */
export function parseReviewBody(body: unknown): ReviewBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError('VIGIE_E_BAD_REQUEST', 'the body must be {"verdict": …, "note": …}');
  }
  const { verdict, note } = body as Record<string, unknown>;
  if (typeof verdict !== 'string' || !(VERDICTS as readonly string[]).includes(verdict)) {
    throw new InputError('VIGIE_E_BAD_REQUEST', 'verdict must be "confirmed" or "dismissed"');
  }
  if (note !== undefined && (typeof note !== 'string' || note.length > 2000)) {
    throw new InputError('VIGIE_E_BAD_REQUEST', 'note must be text of up to 2,000 characters');
  }
  return {
    verdict: verdict as Verdict,
    ...(typeof note === 'string' && note.trim() !== '' ? { note: note.trim() } : {}),
  };
}

/** `GET /audit?before&client&limit`: entries before an entry ID, newest first. */
export function parseAuditQuery(query: unknown): {
  readonly before?: string;
  readonly client?: string;
  readonly limit: number;
} {
  const q = queryReader(query);
  const before = q.raw('before');
  if (before !== undefined && !/^\d{1,18}$/.test(before)) {
    throw queryInvalid('before must be an entry ID');
  }
  const client = q.client();
  return {
    ...optional('before', before),
    ...optional('client', client),
    limit: q.integer('limit', 1, 500, 100),
  };
}

/** `GET /feedback?days&client`: the days looked back over. */
export function parseFeedbackQuery(query: unknown): {
  readonly days: number;
  readonly client?: string;
} {
  const q = queryReader(query);
  const days = q.integer('days', 1, 365, 30);
  return { days, ...optional('client', q.client()) };
}

/** `GET /cameras?client`, and any query that only narrows to one client. */
export function parseClientQuery(query: unknown): { readonly client?: string } {
  return optional('client', queryReader(query).client());
}

/** `/clients/:name`: a client's name. */
export function parseClientParams(params: unknown): { readonly name: string } {
  const name = (params as { name?: unknown }).name;
  if (typeof name !== 'string' || !/^[a-z0-9-]{1,63}$/.test(name)) {
    throw queryInvalid('the client name must be a client ID');
  }
  return { name };
}

/** `PUT /ingest/alerts/:key/clip`: the detector's alert ID (its idempotency key). */
export function parseClipParams(params: unknown): { readonly key: string } {
  const key = (params as { key?: unknown }).key;
  if (typeof key !== 'string' || !ALERT_KEY_PATTERN.test(key)) {
    throw new InputError('VIGIE_E_INGEST_INVALID', 'the alert ID in the path is not valid');
  }
  return { key };
}

/** A clip's body: MP4 bytes, never empty. */
export function parseClipBody(body: unknown): Uint8Array {
  if (!(body instanceof Uint8Array) || body.byteLength === 0) {
    throw new InputError('VIGIE_E_INGEST_INVALID', 'send the clip as video/mp4 bytes');
  }
  return body;
}
