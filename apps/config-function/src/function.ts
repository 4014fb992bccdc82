import * as functions from '@google-cloud/functions-framework';
import type { HandlerDeps } from './handler.js';
import { createHandler } from './handler.js';

/** The function's name on Cloud Functions, and its Functions Framework target. */
export const FUNCTION_NAME = 'process_client_config';

/**
 * Registers `process_client_config` with the Functions Framework. A transient failure rejects,
 * so the framework answers 500 and Eventarc retries; every other outcome answers 2xx.
 */
export function registerFunction(deps: HandlerDeps): void {
  const handle = createHandler(deps);
  functions.cloudEvent(FUNCTION_NAME, async (event: functions.CloudEvent<unknown>) => {
    await handle(event);
  });
}
