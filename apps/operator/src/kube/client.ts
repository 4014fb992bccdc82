/**
 * A small Kubernetes REST client: JSON requests and line-delimited watch streams over one
 * keep-alive agent, authenticated as the {@link Connection} says. Requests go through Node's
 * `https`, so the operator controls headers (metadata-only lists), timeouts and connection reuse.
 */

import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isTransient, toError } from '@vigie/log';
import type { Connection } from './connection.js';

/** A failed API call: the HTTP status (0 for a network error) and the server's Status reason. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /**
   * Worth retrying: the network, the server, throttling or a conflict, not the request itself.
   * Set here from the status alone, so that {@link isTransient} takes it at its word and never
   * guesses from the message.
   */
  readonly transient: boolean;

  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.transient = status === 0 || isTransient({ status });
  }
}

/**
 * Whether the API server refused the request for good (forbidden, invalid, not found): retrying
 * at once cannot help. Any other failure, the operator's own included, is worth a retry.
 */
export function isRefusal(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError && !isTransient(error);
}

/** Options of one request. */
export interface RequestInit {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly timeoutMs?: number;
}

/** One event of a watch stream. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Record<string, unknown>;
}

/** Observes every API call, for metrics. */
export type RequestObserver = (method: string, status: number, seconds: number) => void;

/** The operator's door to the API server. */
export class KubeClient {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly server: URL;
  private observer: RequestObserver = () => undefined;

  constructor(private readonly connection: Connection) {
    this.server = connection.server;
    const options = { keepAlive: true, maxSockets: 64 };
    this.agent =
      this.server.protocol === 'http:'
        ? new HttpAgent(options)
        : new HttpsAgent({
            ...options,
            ...(connection.ca === undefined ? {} : { ca: connection.ca }),
            ...(connection.cert === undefined ? {} : { cert: connection.cert }),
            ...(connection.key === undefined ? {} : { key: connection.key }),
            rejectUnauthorized: connection.insecureSkipTlsVerify !== true,
          });
  }

  /** Reports every request's method, status and duration to `observer`. */
  observe(observer: RequestObserver): void {
    this.observer = observer;
  }

  /** Sends one request and returns the decoded JSON body; throws {@link KubeApiError}. */
  async request<T = Record<string, unknown>>(path: string, init: RequestInit = {}): Promise<T> {
    const method = init.method ?? 'GET';
    const started = performance.now();
    let status = 0;
    try {
      const res = await this.send(path, init);
      status = res.statusCode ?? 0;
      const text = await readAll(res);
      if (status >= 300) throw apiError(status, text, method, path);
      return (text === '' ? {} : JSON.parse(text)) as T;
    } finally {
      this.observer(method, status, (performance.now() - started) / 1000);
    }
  }

  /**
   * Opens a watch and calls `onEvent` for each event until the server ends the stream, `signal`
   * aborts it, or the connection fails (the promise then rejects).
   */
  async watch(
    path: string,
    query: Readonly<Record<string, string | undefined>>,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    accept?: string,
  ): Promise<void> {
    const res = await this.send(path, {
      query: { ...query, watch: 'true' },
      ...(accept === undefined ? {} : { accept }),
      // A watch has no overall deadline: timeoutSeconds in the query ends it server-side.
      timeoutMs: 0,
      signal,
    });
    const status = res.statusCode ?? 0;
    if (status >= 300) throw apiError(status, await readAll(res), 'WATCH', path);
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line !== '') {
            try {
              onEvent(JSON.parse(line) as WatchEvent);
            } catch (error) {
              res.destroy(toError(error));
              return;
            }
          }
          newline = buffered.indexOf('\n');
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
      res.on('close', () => {
        if (signal.aborted) resolve();
        else if (!res.complete)
          reject(new KubeApiError(0, 'ConnectionLost', 'watch connection lost'));
      });
    });
  }

  private async send(
    path: string,
    init: RequestInit & { signal?: AbortSignal },
  ): Promise<IncomingMessage> {
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const token = await this.connection.token();
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const headers: Record<string, string> = {
      Accept: init.accept ?? 'application/json',
      'User-Agent': 'vigie-operator',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    };
    if (body !== undefined) {
      headers['Content-Type'] = init.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const timeoutMs = init.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = send(url, {
        method: init.method ?? 'GET',
        headers,
        agent: this.agent,
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => {
          req.destroy(new KubeApiError(0, 'Timeout', `no answer within ${String(timeoutMs)} ms`));
        });
      }
      req.on('response', resolve);
      req.on('error', (error) => {
        reject(
          error instanceof KubeApiError
            ? error
            : new KubeApiError(
                0,
                'NetworkError',
                `${init.method ?? 'GET'} ${path}: ${error.message}`,
              ),
        );
      });
      req.end(body);
    });
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function apiError(status: number, text: string, method: string, path: string): KubeApiError {
  let reason = 'Unknown';
  let message = text.slice(0, 500);
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    reason = parsed.reason ?? reason;
    message = parsed.message ?? message;
  } catch {
    // Not a Status object: keep the raw text.
  }
  return new KubeApiError(status, reason, `${method} ${path}: ${String(status)} ${message}`);
}

/** True when `error` is an API error with HTTP status `status`. */
export function hasStatus(error: unknown, status: number): boolean {
  return error instanceof KubeApiError && error.status === status;
}
