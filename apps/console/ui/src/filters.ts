/**
 * The inbox's filters. The address holds them (`?client=acme&status=new&range=24h`), so a filtered
 * view survives a reload and can be shared; the API gets them as ISO times.
 */

import type { AlertQuery } from './api.js';
import type { AlertSummary } from './types.js';

/** Time ranges the inbox offers, besides a custom one. */
export const RANGES = {
  '1h': { label: 'Last hour', ms: 3600_000 },
  '24h': { label: 'Last 24 hours', ms: 86_400_000 },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000 },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000 },
} as const;

/** A preset time range. */
export type RangeKey = keyof typeof RANGES;

/** The filters as the address holds them. */
export interface InboxFilters {
  readonly client?: string;
  readonly camera?: string;
  readonly rule?: string;
  readonly status?: string;
  readonly range?: RangeKey | 'custom';
  /** ISO times, with `range=custom`. */
  readonly from?: string;
  readonly to?: string;
}

const KEYS = ['client', 'camera', 'rule', 'status', 'range', 'from', 'to'] as const;

function isRange(value: string): value is RangeKey | 'custom' {
  return value === 'custom' || Object.hasOwn(RANGES, value);
}

/** Reads the filters from a query string, dropping values that do not parse. */
export function readFilters(search: string): InboxFilters {
  const params = new URLSearchParams(search);
  const text = (key: string): string | undefined => {
    const value = params.get(key);
    return value === null || value === '' ? undefined : value;
  };
  const time = (key: string): string | undefined => {
    const value = text(key);
    return value === undefined || Number.isNaN(Date.parse(value)) ? undefined : value;
  };
  const range = text('range');
  const filters: { -readonly [K in keyof InboxFilters]: InboxFilters[K] } = {};
  for (const key of ['client', 'camera', 'rule', 'status'] as const) {
    const value = text(key);
    if (value !== undefined) filters[key] = value;
  }
  if (range !== undefined && isRange(range)) filters.range = range;
  const from = time('from');
  const to = time('to');
  if (from !== undefined) filters.from = from;
  if (to !== undefined) filters.to = to;
  return filters;
}

/** Writes the filters as a query string ("" or "?…"), leaving out empty ones. */
export function writeFilters(filters: InboxFilters): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = filters[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  if (filters.range !== 'custom') {
    params.delete('from');
    params.delete('to');
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The time window the filters mean at `now`, as ISO times. */
export function timeWindow(filters: InboxFilters, now: number): { from?: string; to?: string } {
  const range = filters.range;
  if (range === undefined) return {};
  if (range === 'custom') {
    return {
      ...(filters.from === undefined ? {} : { from: filters.from }),
      ...(filters.to === undefined ? {} : { to: filters.to }),
    };
  }
  return { from: new Date(now - RANGES[range].ms).toISOString() };
}

/** The API query for the filters at `now`. */
export function toQuery(filters: InboxFilters, now: number): AlertQuery {
  const { from, to } = timeWindow(filters, now);
  return {
    ...(filters.client === undefined ? {} : { client: filters.client }),
    ...(filters.camera === undefined ? {} : { camera: filters.camera }),
    ...(filters.rule === undefined ? {} : { rule: filters.rule }),
    ...(filters.status === undefined ? {} : { status: filters.status }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

/** Whether a live arrival belongs in the list the filters show. */
export function matches(alert: AlertSummary, filters: InboxFilters, now: number): boolean {
  if (filters.client !== undefined && alert.client !== filters.client) return false;
  if (filters.camera !== undefined && alert.camera !== filters.camera) return false;
  if (filters.rule !== undefined && alert.rule !== filters.rule) return false;
  if (filters.status !== undefined && alert.status !== filters.status) return false;
  const { from, to } = timeWindow(filters, now);
  const t = Date.parse(alert.detectedAt);
  if (from !== undefined && t < Date.parse(from)) return false;
  if (to !== undefined && t > Date.parse(to)) return false;
  return true;
}

/** Whether any filter is set. */
export function anyFilter(filters: InboxFilters): boolean {
  return KEYS.some((key) => filters[key] !== undefined);
}

/** An ISO time as a `datetime-local` input's value, in local time. */
export function toLocalInput(iso: string | undefined): string {
  if (iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` input's value as an ISO time. */
export function fromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
