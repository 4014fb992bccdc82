/**
 * The live stream of new alerts (`GET /api/v1/events`), read with `fetch` so that it can carry
 * the bearer token, and reconnected with capped, jittered exponential backoff.
 */

import { readAlertSummary } from './api.js';
import { createSseParser } from './sse.js';
import type { AlertSummary } from './types.js';

/** The stream's state, as the header's indicator shows it. */
export type LiveState = 'connecting' | 'live' | 'offline';

/** What a live connection reports to. */
export interface LiveOptions {
  readonly token: string;
  readonly onAlert: (alert: AlertSummary) => void;
  readonly onState: (state: LiveState) => void;
  readonly onUnauthorized: (message: string) => void;
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/** The wait before reconnection attempt `attempt` (0-based): doubling, capped, with jitter. */
export function backoffDelay(
  attempt: number,
  floorMs = FIRST_DELAY_MS,
  random = Math.random,
): number {
  const ceiling = Math.min(MAX_DELAY_MS, Math.max(floorMs, FIRST_DELAY_MS) * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Opens the stream and keeps it open until the returned function is called. */
export function connectLive(options: LiveOptions): () => void {
  const { token, onAlert, onState, onUnauthorized } = options;
  let closed = false;
  // A function, so that the check after each await reads the variable afresh.
  const isClosed = (): boolean => closed;
  let controller: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let lastEventId = '';
  let retryFloor = FIRST_DELAY_MS;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  // Coming back online is worth trying at once rather than waiting out the backoff.
  const online = () => {
    if (timer !== undefined) clearTimeout(timer);
    wake?.();
  };
  window.addEventListener('online', online);

  async function once(): Promise<'opened' | 'failed' | 'refused'> {
    controller = new AbortController();
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
    };
    if (lastEventId !== '') headers['last-event-id'] = lastEventId;
    const response = await fetch('/api/v1/events', {
      headers,
      signal: controller.signal,
      cache: 'no-store',
    });
    if (response.status === 401) {
      onUnauthorized('Your session has expired or the token was revoked. Sign in again.');
      return 'refused';
    }
    if (!response.ok || response.body === null) return 'failed';
    onState('live');
    const parser = createSseParser((message) => {
      if (message.event !== 'alert') return;
      try {
        const alert = readAlertSummary(JSON.parse(message.data));
        if (alert.id !== '') onAlert(alert);
      } catch {
        // A malformed event is skipped; the next one may be fine.
      }
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
        lastEventId = parser.lastEventId;
        if (parser.retry !== undefined) retryFloor = parser.retry;
      }
    } finally {
      reader.releaseLock();
    }
    return 'opened';
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!isClosed()) {
      onState(attempt === 0 ? 'connecting' : 'offline');
      let outcome: 'opened' | 'failed' | 'refused';
      try {
        outcome = await once();
      } catch {
        outcome = 'failed';
      }
      if (isClosed() || outcome === 'refused') return;
      attempt = outcome === 'opened' ? 0 : attempt + 1;
      onState('offline');
      await sleep(backoffDelay(attempt, retryFloor));
    }
  }

  void run();
  return () => {
    closed = true;
    window.removeEventListener('online', online);
    if (timer !== undefined) clearTimeout(timer);
    wake?.();
    controller?.abort();
  };
}
