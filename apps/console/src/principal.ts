/**
 * Who is asking, and which clients they may see. Every read and write is filtered by it. Pure
 * and free of imports: storage reads principals, `auth/` proves them, routes filter by them.
 */

/** `admin` sees and reviews every client; `viewer` reviews only its own clients. */
export type Role = 'admin' | 'viewer';

/** The caller of a request. */
export interface Principal {
  /** An email, or a token's subject. */
  readonly subject: string;
  readonly role: Role;
  /** The clients visible to the caller; `'*'` for all. */
  readonly clients: '*' | readonly string[];
}

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
