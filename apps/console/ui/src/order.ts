/**
 * The order of the alerts the inbox last showed, so that the alert page's next and previous
 * (j and k) follow the list the operator came from, filters included.
 */

import type { AlertQuery } from './api.js';

interface Order {
  /** The inbox's query string, so that going back restores its filters. */
  search: string;
  ids: string[];
  query: AlertQuery;
  nextCursor: string | undefined;
}

let order: Order = { search: '', ids: [], query: {}, nextCursor: undefined };

/** Remembers the list the inbox shows. */
export function rememberOrder(options: {
  search: string;
  ids: readonly string[];
  query: AlertQuery;
  nextCursor?: string | undefined;
}): void {
  order = { ...options, ids: [...options.ids], nextCursor: options.nextCursor };
}

/** The remembered list. */
export function currentOrder(): Readonly<Order> {
  return order;
}

/** Adds a page loaded from the alert page to the remembered list. */
export function extendOrder(ids: readonly string[], nextCursor?: string): void {
  const known = new Set(order.ids);
  order = {
    ...order,
    ids: [...order.ids, ...ids.filter((id) => !known.has(id))],
    nextCursor,
  };
}

/** The alerts before (newer) and after (older) one in the remembered list. */
export function neighbours(id: string): { newer?: string; older?: string; last: boolean } {
  const i = order.ids.indexOf(id);
  if (i === -1) return { last: false };
  const newer = order.ids[i - 1];
  const older = order.ids[i + 1];
  return {
    ...(newer === undefined ? {} : { newer }),
    ...(older === undefined ? {} : { older }),
    last: i === order.ids.length - 1,
  };
}
