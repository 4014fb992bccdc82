/** A worker thread that runs one MoveNet engine; see `movenet.ts` for the protocol. */

import { parentPort } from 'node:worker_threads';
import { errorMessage } from '@vigie/log';
import { loadMoveNetEngine } from './movenet-engine.js';

/** A request from the pool. */
export interface WorkerRequest {
  readonly id: number;
  readonly pixels: Int32Array;
  readonly width: number;
  readonly height: number;
}

/** A reply to the pool. */
export type WorkerReply =
  | { readonly id: number; readonly rows: number[][]; readonly ms: number }
  | { readonly id: number; readonly error: string }
  | { readonly ready: true }
  | { readonly fatal: string };

const port = parentPort;
if (port) {
  const post = (reply: WorkerReply): void => {
    port.postMessage(reply);
  };
  loadMoveNetEngine().then(
    (engine) => {
      port.on('message', (request: WorkerRequest) => {
        const started = performance.now();
        engine.run(request.pixels, request.width, request.height).then(
          (rows) => {
            post({ id: request.id, rows, ms: performance.now() - started });
          },
          (error: unknown) => {
            post({ id: request.id, error: errorMessage(error) });
          },
        );
      });
      post({ ready: true });
    },
    (error: unknown) => {
      post({ fatal: errorMessage(error) });
    },
  );
}
