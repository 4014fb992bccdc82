/**
 * What one request and one client may cost the console. A caller not yet authenticated gets no
 * body read at all (see `callers.ts`), so the only bytes it costs are those already buffered
 * when its headers arrive; a known caller gets the body its route takes; slow bodies and idle
 * sockets are cut off; each client address holds a bounded number of connections.
 */

import type { Server } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MAX_CLIP_BYTES, MAX_SNAPSHOT_BYTES } from '../ingest.js';

const KiB = 1024;

/** Base64 grows bytes by 4/3. */
const base64Size = (bytes: number) => Math.ceil(bytes / 3) * 4;

/** Request body limits in bytes, by route; the smallest applies wherever none is set. */
export const BODY_LIMITS = {
  /** What any route takes when it sets nothing: GET routes and what is not a route read none. */
  anonymous: 64 * KiB,
  /** An alert with its snapshot base64-encoded in JSON, with room for the alert itself. */
  ingest: base64Size(MAX_SNAPSHOT_BYTES) + 128 * KiB,
  /** A clip, as its raw bytes. */
  clip: MAX_CLIP_BYTES,
  /** A verdict and a note of up to 2,000 characters, each possibly a six-byte JSON escape. */
  review: 16 * KiB,
} as const;

/** Limits on sockets and request timing; every field can be overridden in `buildApp`. */
export interface ConnectionLimits {
  /** Connections one client address may hold open at once; more are closed on arrival. */
  readonly perAddress: number;
  /** Connections the whole server holds open at once. */
  readonly total: number;
  /** The time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** The time to receive a whole request, body included: a clip over a slow store uplink. */
  readonly requestTimeoutMs: number;
  /** A socket with no traffic this long is closed (live streams send a comment every 15 s). */
  readonly idleTimeoutMs: number;
  /** Requests served on one keep-alive connection before it is closed. */
  readonly requestsPerSocket: number;
  /** After an early answer (401, 404, 413), the unread body is drained this long, then cut. */
  readonly lingerMs: number;
}

/** The defaults: a store's detectors, its staff and `vigie up` all fit well inside them. */
export const CONNECTION_LIMITS: ConnectionLimits = {
  perAddress: 256,
  total: 8192,
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 300_000,
  idleTimeoutMs: 120_000,
  requestsPerSocket: 1000,
  lingerMs: 2000,
};

/** The Fastify options that carry {@link ConnectionLimits}. */
export function serverOptions(limits: ConnectionLimits) {
  return {
    bodyLimit: BODY_LIMITS.anonymous,
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    maxRequestsPerSocket: limits.requestsPerSocket,
  };
}

/** Applies what Fastify has no option for to its server: header timeout and connection caps. */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.maxConnections = limits.total;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.perAddress) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/**
 * Called before a reply is sent: when the request's body was not read (the caller was refused
 * before it, or it was too large), the connection is closed after the answer instead of reading
 * the rest. The unread bytes are drained for a moment first, so that closing does not reset
 * the connection before the client has read the answer.
 */
export function closeAfterEarlyAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  lingerMs: number,
): void {
  const socket = request.raw.socket as unknown;
  // Requests made with `inject()` have no real socket, and nothing to protect.
  if (!(socket instanceof Socket) || request.raw.complete) return;
  void reply.header('connection', 'close');
  // Node ends a `Connection: close` socket with `destroySoon` as soon as the answer is written.
  // With the body unread, that close is a reset, which can reach the client before the answer
  // and erase it. So the socket closes its own side after the answer, reads and discards what
  // still comes for `lingerMs`, and only then is cut.
  const closing = socket as Socket & { destroySoon?: () => void };
  if (typeof closing.destroySoon !== 'function') return;
  closing.destroySoon = () => {
    socket.end();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
    });
  };
}

/**
 * Holds off reading a request's body while its caller is being authenticated; `resume` lets the
 * body flow again once the caller is known. Bytes already buffered stay buffered: Node reads at
 * most 64 KiB at a time, so that is all an unknown caller's request costs.
 */
export function holdBody(request: FastifyRequest): { resume(): void } {
  const socket = request.raw.socket as unknown;
  if (!(socket instanceof Socket) || request.raw.complete) return { resume() {} };
  socket.pause();
  return {
    resume() {
      socket.resume();
    },
  };
}
