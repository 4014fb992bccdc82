/**
 * The console's HTTP API, built apart from `listen` so that tests drive it with `inject()`.
 * Domain errors become statuses here and nowhere else. Every request goes through one pipeline
 * (`http/pipeline.ts`, `http/route.ts`): its caller authenticated and its input checked before
 * any handler runs. One router per resource, in `routes/`.
 */

import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { errorCode, toError } from '@vigie/log';
import type { Authenticator } from './auth/authenticate.js';
import { createTokenAuthenticator } from './auth/authenticate.js';
import {
  AuthError,
  ForbiddenError,
  InputError,
  LengthRequiredError,
  NotFoundError,
  RateLimitError,
  TooLargeError,
} from './errors.js';
import type { IngestBudget } from './http/budget.js';
import { createIngestBudget, INGEST_BUDGET } from './http/budget.js';
import { createTenantResolver } from './http/callers.js';
import type { ConnectionLimits } from './http/limits.js';
import { CONNECTION_LIMITS, limitConnections, serverOptions } from './http/limits.js';
import { installRequestPipeline } from './http/pipeline.js';
import { addRoute } from './http/route.js';
import type { AlertHub } from './live.js';
import { createAlertHub } from './live.js';
import type { ConsoleMetrics } from './metrics.js';
import { createConsoleMetrics } from './metrics.js';
import type { ClientDirectory, EvidenceStore } from './ports.js';
import { alertRoutes } from './routes/alerts.js';
import { peopleRoutes } from './routes/audit.js';
import { clientRoutes } from './routes/clients.js';
import type { AlertStoredHook, RouteContext } from './routes/context.js';
import { eventRoutes } from './routes/events.js';
import { ingestRoutes } from './routes/ingest.js';
import { uiRoutes } from './routes/ui.js';
import { getAlert } from './storage/alerts.js';
import type { Sql } from './storage/db.js';

/** What the API needs. */
export interface AppDeps {
  readonly sql: Sql;
  readonly evidence: EvidenceStore;
  readonly directory: ClientDirectory;
  /** Who is asking; console API tokens by default. */
  readonly authenticate?: Authenticator;
  /** Called inside each new alert's transaction (the notifier writes its rows there). */
  readonly onAlertStored?: AlertStoredHook;
  /** The built review UI's folder; without it, only the API is served. */
  readonly ui?: { readonly root: string };
  readonly metrics?: ConsoleMetrics;
  /**
   * Serves `/metrics` on the API's own port (`vigie up`). In a cluster the metrics get a port
   * of their own instead, so that the Ingress never publishes them.
   */
  readonly serveMetrics?: boolean;
  readonly now?: () => Date;
  /** Told about unexpected errors (500s and live-stream failures). */
  readonly onError?: (error: unknown) => void;
  /** Overrides of the connection limits (tests shorten them). */
  readonly limits?: Partial<ConnectionLimits>;
  /** Overrides of each tenant's ingest budget. */
  readonly ingestBudget?: Partial<IngestBudget>;
}

/** The app, with its live hub (started by `listen`'s caller, see `main.ts`). */
export type ConsoleApp = FastifyInstance & {
  readonly hub: AlertHub;
  readonly metrics: ConsoleMetrics;
};

/** The longest path parameter: an alert ID (client names have 63 characters at most). */
const MAX_PARAM_LENGTH = 128;

function statusOf(error: Error): number {
  if (error instanceof InputError) return 400;
  if (error instanceof AuthError) return 401;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof LengthRequiredError) return 411;
  if (error instanceof TooLargeError) return 413;
  if (error instanceof RateLimitError) return 429;
  const status = (error as { statusCode?: unknown }).statusCode;
  // Fastify's own client errors: malformed JSON, an unsupported type, a body too large.
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}

const FASTIFY_CODES: Readonly<Record<number, string>> = {
  400: 'VIGIE_E_BAD_REQUEST',
  404: 'VIGIE_E_NOT_FOUND',
  413: 'VIGIE_E_TOO_LARGE',
  415: 'VIGIE_E_BAD_REQUEST',
};

/** Fastify's own answers to a bad URL or an over-long parameter, in the console's shape. */
function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  void reply
    .status(400)
    .header('x-content-type-options', 'nosniff')
    .send({
      code: 'VIGIE_E_QUERY_INVALID',
      message:
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? `a path parameter is longer than ${String(MAX_PARAM_LENGTH)} characters`
          : 'the URL is not valid',
    });
}

/** Answers every error in the console's shape: a domain error's status and stable code. */
function answerErrors(app: FastifyInstance, onError: ((error: unknown) => void) | undefined) {
  app.setErrorHandler((thrown: unknown, _request, reply) => {
    const error = toError(thrown);
    const status = statusOf(error);
    if (status === 500) onError?.(error);
    if (error instanceof RateLimitError) {
      void reply.header('retry-after', String(Math.max(1, error.retryAfterSeconds)));
    }
    const code =
      errorCode(error) ??
      (status === 500 ? 'VIGIE_E_INTERNAL' : (FASTIFY_CODES[status] ?? 'VIGIE_E_BAD_REQUEST'));
    void reply
      .status(status)
      .send({ code, message: status === 500 ? 'internal error' : error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ code: 'VIGIE_E_NOT_FOUND', message: `no route ${request.method} ${request.url}` });
  });
}

/** Fastify with the connection limits, before any route or hook. */
function createServer(limits: ConnectionLimits): FastifyInstance {
  const app = Fastify({
    ...serverOptions(limits),
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
  });
  limitConnections(app.server, limits);
  return app;
}

/** What the routers share: the ports, the metrics, the live hub and the clock. */
function routeContext(deps: AppDeps, metrics: ConsoleMetrics, hub: AlertHub): RouteContext {
  return {
    sql: deps.sql,
    evidence: deps.evidence,
    directory: deps.directory,
    metrics,
    hub,
    now: deps.now ?? (() => new Date()),
    ...(deps.onAlertStored ? { onAlertStored: deps.onAlertStored } : {}),
  };
}

/** One router per resource, the UI when it is built, health and (in `vigie up`) metrics. */
function addRoutes(app: FastifyInstance, context: RouteContext, deps: AppDeps): void {
  ingestRoutes(app, context);
  alertRoutes(app, context);
  clientRoutes(app, context);
  peopleRoutes(app, context);
  eventRoutes(app, context);
  if (deps.ui) void app.register(uiRoutes, deps.ui);
  addRoute(app, { method: 'GET', url: '/healthz', caller: 'anyone', handle: () => 'ok\n' });
  if (deps.serveMetrics === true) {
    const { registry } = context.metrics;
    addRoute(app, {
      method: 'GET',
      url: '/metrics',
      caller: 'anyone',
      handle: async (_input, reply) =>
        reply.header('content-type', registry.contentType).send(await registry.metrics()),
    });
  }
}

/** Builds the API. */
export function buildApp(deps: AppDeps): ConsoleApp {
  const limits = { ...CONNECTION_LIMITS, ...deps.limits };
  const app = createServer(limits);
  const metrics = deps.metrics ?? createConsoleMetrics();
  const hub = createAlertHub({
    sql: deps.sql,
    load: (id) => getAlert(deps.sql, id, undefined),
    ...(deps.onError ? { onError: deps.onError } : {}),
  });
  answerErrors(app, deps.onError);
  installRequestPipeline(app, {
    authenticate: deps.authenticate ?? createTokenAuthenticator(deps.sql),
    tenantOf: createTenantResolver(deps.sql),
    charge: createIngestBudget({ ...INGEST_BUDGET, ...deps.ingestBudget }),
    lingerMs: limits.lingerMs,
    metrics,
  });
  addRoutes(app, routeContext(deps, metrics, hub), deps);
  app.addHook('onClose', async () => {
    await hub.stop();
  });
  return Object.assign(app, { hub, metrics });
}
