/**
 * Who is asking, and which clients they may see. Every read and write is filtered by it. Pure:
 * storage reads principals, `auth/` proves them, routes filter by them. The type itself is the
 * API's (`api/principal.ts`), which `GET /api/v1/me` answers.
 */

import type { Principal } from './api/principal.js';

export type { Principal, Role } from './api/principal.js';

/** Whether the principal may see a client's data. */
export function canSee(principal: Principal, client: string): boolean {
  return principal.clients === '*' || principal.clients.includes(client);
}

/**
 * The clients a query may return: undefined for all, else the caller's clients, narrowed to
 * the one asked for. Asking for a client one cannot see gives an empty list, not an error, so
 * that client names cannot be probed.
 */
export function visibleClients(
  principal: Principal,
  asked?: string,
): readonly string[] | undefined {
  if (principal.clients === '*') return asked === undefined ? undefined : [asked];
  if (asked === undefined) return principal.clients;
  return principal.clients.includes(asked) ? [asked] : [];
}
