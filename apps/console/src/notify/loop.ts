/**
 * The delivery loop's timing: a run every interval, one at once when `wake` says rows are
 * waiting, never two runs at a time, and a stop that waits for the run in flight.
 */

import { errorMessage, type Logger } from '@vigie/log';

/** The loop's controls. */
export interface DeliveryLoop {
  /** Runs every `intervalMs`, starting now; a second start only changes the interval. */
  readonly start: (intervalMs: number) => void;
  /** Runs now, or right after the run in flight; nothing while stopped. */
  readonly wake: () => void;
  /** Stops the loop and waits for the run in flight. */
  readonly stop: () => Promise<void>;
}

/** Builds a stopped loop around `run`; a run that throws is logged, and the loop goes on. */
export function createDeliveryLoop(run: () => Promise<unknown>, log: Logger): DeliveryLoop {
  let interval = 5000;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    again = false;
    running = run()
      .then(
        () => undefined,
        (thrown: unknown) => {
          log('ERROR', 'notification loop failed', { error: errorMessage(thrown) });
        },
      )
      .finally(() => {
        running = undefined;
        schedule(again ? 0 : interval);
      });
  }

  return {
    start: (intervalMs) => {
      interval = intervalMs;
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    wake: () => {
      if (stopped) return;
      if (running === undefined) schedule(0);
      else again = true;
    },
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
