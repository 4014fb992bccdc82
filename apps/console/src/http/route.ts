/**
 * The request pipeline every console route goes through. A route declares who may call it, the
 * body it takes and the parsers of its path, query and body; {@link addRoute} registers it so
 * that, before its handler runs:
 *
 * 1. the caller is known, in `onRequest`, before a byte of the body is read (`callers.ts`);
 * 2. the path, the query and the body hold only what the database can store, in
 *    `preValidation` (`storable.ts`);
 * 3. the route's parsers have turned the raw path, query and body into checked values, in that
 *    order, each throwing an `InputError` that names the first bad value.
 *
 * Handlers get the caller and the checked values; none authenticates or checks input itself.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../principal.js';
import { principalOf, tenantOf, type CallerKind } from './callers.js';
import { BODY_LIMITS } from './limits.js';

/** Turns a raw path, query or body into a checked value, or throws an `InputError`. */
export type Parser<T> = (raw: unknown) => T;

/** The caller a handler is given: a person's principal, a detector's tenant, or nobody. */
export type CallerOf<K extends CallerKind> = K extends 'person'
  ? Principal
  : K extends 'detector'
    ? string
    : undefined;

/** What a handler gets, authenticated and checked. */
export interface RouteInput<K extends CallerKind, P, Q, B> {
  readonly caller: CallerOf<K>;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The request itself, for the headers a handler answers by (`If-None-Match`, …). */
  readonly request: FastifyRequest;
}

/** A route's declaration: what it answers, who may call it, and what it reads. */
export interface RouteSpec<K extends CallerKind, P = undefined, Q = undefined, B = undefined> {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  /** Who may call it: a signed-in `person`, a `detector` with its ingest token, or `anyone`. */
  readonly caller: K;
  /** The largest body it takes, named in `BODY_LIMITS`; `anonymous` (the smallest) if unset. */
  readonly bodyLimit?: keyof typeof BODY_LIMITS;
  readonly params?: Parser<P>;
  readonly query?: Parser<Q>;
  readonly body?: Parser<B>;
  /** Answers the request: returns what to send, or sends it through `reply`. */
  readonly handle: (input: RouteInput<K, P, Q, B>, reply: FastifyReply) => unknown;
}

function callerOf<K extends CallerKind>(kind: K, request: FastifyRequest): CallerOf<K> {
  // The caller hook has authenticated the request by the same kind; this only reads its verdict.
  switch (kind) {
    case 'person':
      return principalOf(request) as CallerOf<K>;
    case 'detector':
      return tenantOf(request) as CallerOf<K>;
    case 'anyone':
      return undefined as CallerOf<K>;
  }
  throw new Error(`unknown caller kind ${String(kind)}`);
}

/** Runs a route's parsers in a fixed order (path, query, body): the first bad value answers. */
export function prepareInput<K extends CallerKind, P, Q, B>(
  spec: RouteSpec<K, P, Q, B>,
  request: FastifyRequest,
): RouteInput<K, P, Q, B> {
  const caller = callerOf(spec.caller, request);
  // A route that declares no parser reads nothing there: its input is undefined, as its type says.
  const params = spec.params?.(request.params) as P;
  const query = spec.query?.(request.query) as Q;
  const body = spec.body?.(request.body) as B;
  return { caller, params, query, body, request };
}

/** Registers a route behind the pipeline: its handler runs only for a known caller and checked input. */
export function addRoute<K extends CallerKind, P = undefined, Q = undefined, B = undefined>(
  app: FastifyInstance,
  spec: RouteSpec<K, P, Q, B>,
): void {
  app.route({
    method: spec.method,
    url: spec.url,
    bodyLimit: BODY_LIMITS[spec.bodyLimit ?? 'anonymous'],
    config: { caller: spec.caller },
    handler: (request, reply) => spec.handle(prepareInput(spec, request), reply),
  });
}
