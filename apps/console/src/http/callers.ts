/**
 * Who is calling, decided in `onRequest`, before a byte of the body is read. Every route
 * declares who may call it (`addRoute`, in `route.ts`, puts it in `config.caller`): a signed-in
 * `person`, a `detector` (an ingest token names the tenant) or `anyone` (the UI's files,
 * health); a route that declared nothing is for people. What is not a route answers 404 there
 * and then. The pipeline hands handlers the caller, read with {@link principalOf} or
 * {@link tenantOf}.
 */

import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticate.js';
import type { Principal } from '../principal.js';
import { AuthError, LengthRequiredError, NotFoundError, TooLargeError } from '../errors.js';
import type { Sql } from '../storage/db.js';
import { clientOfToken } from '../storage/alerts.js';
import type { BudgetCharge } from './budget.js';
import { holdBody } from './limits.js';

/** Who may call a route. */
export type CallerKind = 'person' | 'detector' | 'anyone';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; a signed-in person when unset. */
    caller?: CallerKind;
  }
}

/** Finds the tenant an ingest token belongs to; undefined when it is not known. */
export type TenantResolver = (headers: IncomingHttpHeaders) => Promise<string | undefined>;

/** How long a recognised ingest token is trusted without asking the store again. */
const TOKEN_CACHE_MS = 10_000;
const TOKEN_CACHE_SIZE = 10_000;

/** Recognises ingest tokens, remembering recent ones: every detector post carries one. */
export function createTenantResolver(sql: Sql): TenantResolver {
  const known = new Map<string, { client: string; until: number }>();
  return async (headers) => {
    const token = /^Bearer ([\x21-\x7e]{16,512})$/.exec(headers.authorization ?? '')?.[1];
    if (token === undefined) return undefined;
    const now = Date.now();
    const cached = known.get(token);
    if (cached !== undefined && cached.until > now) return cached.client;
    const client = await clientOfToken(sql, token);
    // Unknown tokens are never remembered: a new tenant's first post must not wait.
    if (client === undefined) return undefined;
    if (known.size >= TOKEN_CACHE_SIZE) known.clear();
    known.set(token, { client, until: now + TOKEN_CACHE_MS });
    return client;
  };
}

const principals = new WeakMap<FastifyRequest, Principal>();
const tenants = new WeakMap<FastifyRequest, string>();

/** What the caller hook needs. */
export interface CallerOptions {
  readonly authenticate: Authenticator;
  readonly tenantOf: TenantResolver;
  /** Charges each detector post to its tenant's ingest budget. */
  readonly charge: BudgetCharge;
}

/**
 * The body a detector declares, checked against its route before a byte is read: a post must
 * say its length, so that its cost is known, and may not exceed what the route takes.
 */
function declaredLength(request: FastifyRequest): number {
  if (request.method === 'GET' || request.method === 'HEAD') return 0;
  const header = request.headers['content-length'];
  if (header === undefined) {
    throw new LengthRequiredError('send Content-Length: detector posts are never chunked');
  }
  const length = Number(header);
  const limit = request.routeOptions.bodyLimit;
  if (length > limit) {
    throw new TooLargeError(`the body has ${header} bytes; this route takes ${String(limit)}`);
  }
  return length;
}

/** The `onRequest` hook that authenticates every request before its body is read. */
export function createCallerHook(options: CallerOptions) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.is404) throw new NotFoundError(`no route ${request.method} ${request.url}`);
    const kind = request.routeOptions.config.caller ?? 'person';
    if (kind === 'anyone') return;
    const held = holdBody(request);
    if (kind === 'person') {
      const principal = await options.authenticate(request.headers);
      if (principal === undefined) {
        throw new AuthError('sign in: send Authorization: Bearer <API token>, or come through IAP');
      }
      principals.set(request, principal);
    } else {
      if (request.headers.authorization === undefined) {
        throw new AuthError('an ingest token is required: Authorization: Bearer <token>');
      }
      const tenant = await options.tenantOf(request.headers);
      if (tenant === undefined) throw new AuthError('the ingest token is not known');
      options.charge(tenant, declaredLength(request));
      tenants.set(request, tenant);
    }
    held.resume();
  };
}

/** The signed-in person of a `person` route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error(`${request.url} was not authenticated`);
  return principal;
}

/** The tenant of a `detector` route, named by its ingest token. */
export function tenantOf(request: FastifyRequest): string {
  const tenant = tenants.get(request);
  if (tenant === undefined) throw new Error(`${request.url} was not authenticated`);
  return tenant;
}
