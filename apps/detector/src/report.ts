/**
 * Camera health into the `Client` status: the detector server-side-applies its own shard's
 * entry of `status.detectors` (a map by shard name), under a field manager of its own shard, so
 * that shards never overwrite each other and the operator's fields stay the operator's; the
 * operator gathers the entries into `status.cameras`. It writes only when a
 * camera's state or reason changes, never on a timer, so a steady store makes no API writes.
 * Its RBAC, made by the operator, allows patching this one Client's status and nothing else.
 */

import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { request as requestHttp } from 'node:http';
import type { CameraHealthEntry, ClientStatus } from '@vigie/config';
import type { Logger } from '@vigie/log';
import type { CameraStatus } from './camera.js';

/** How the detector reaches the API server. */
export interface KubeConnection {
  /** `https://host:port`. */
  readonly server: string;
  /** Read on each request: projected tokens rotate. */
  readonly token: () => Promise<string>;
  /** PEM of the cluster CA; omitted for `http://` in tests. */
  readonly ca?: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The pod's own connection, from its mounted ServiceAccount; undefined outside a cluster. */
export async function inClusterConnection(env: {
  readonly KUBERNETES_SERVICE_HOST?: string | undefined;
  readonly KUBERNETES_SERVICE_PORT?: string | undefined;
}): Promise<KubeConnection | undefined> {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (host === undefined || host === '') return undefined;
  let ca: string;
  try {
    ca = await readFile(`${SA_DIR}/ca.crt`, 'utf8');
  } catch {
    return undefined;
  }
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? '443'}`;
  return {
    server,
    ca,
    token: async () => (await readFile(`${SA_DIR}/token`, 'utf8')).trim(),
  };
}

/** One camera's health as the Client status carries it (the detector always counts reconnects). */
export type CameraHealth = CameraHealthEntry & { readonly reconnects: number };

/** What the status says of a camera: `Up`, `Down` with the error code as reason, or `Unknown` while starting. */
export function cameraHealth(status: CameraStatus): CameraHealth {
  if (status.error) {
    return {
      id: status.id,
      state: 'Down',
      reason: status.error.code,
      message: status.error.message.slice(0, 1000),
      reconnects: status.reconnects,
    };
  }
  return { id: status.id, state: status.up ? 'Up' : 'Unknown', reconnects: status.reconnects };
}

function send(
  connection: KubeConnection,
  path: string,
  token: string,
  body: string,
): Promise<number> {
  const url = new URL(path, connection.server);
  const make = url.protocol === 'http:' ? requestHttp : request;
  return new Promise((resolve, reject) => {
    const req = make(
      url,
      {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/apply-patch+yaml',
          'content-length': Buffer.byteLength(body),
        },
        ...(connection.ca === undefined ? {} : { ca: connection.ca }),
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Options of {@link createStatusReporter}. */
export interface ReporterOptions {
  readonly connection: KubeConnection;
  readonly client: string;
  readonly shard: string;
  readonly cameras: () => readonly CameraStatus[];
  readonly log: Logger;
  /** How often camera states are compared with what was last written. Default 2 s. */
  readonly intervalMs?: number;
}

/** Reports camera health into the Client status whenever it changes. */
export function createStatusReporter(options: ReporterOptions): {
  /** Compares and writes now if anything changed; resolves when done. */
  flush(): Promise<void>;
  stop(): void;
} {
  const path = `/apis/vigie.dev/v1alpha1/clients/${encodeURIComponent(options.client)}/status?fieldManager=${encodeURIComponent(`vigie-detector-${options.shard}`)}&force=true`;
  let written = '';
  let busy: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    const cameras = options.cameras().map(cameraHealth);
    // Reconnect counts alone do not make a write: they move while a camera flaps.
    const key = JSON.stringify(cameras.map((c) => [c.id, c.state, c.reason, c.message]));
    if (key === written) return;
    const status: ClientStatus = { detectors: { [options.shard]: { cameras } } };
    const body = JSON.stringify({
      apiVersion: 'vigie.dev/v1alpha1',
      kind: 'Client',
      metadata: { name: options.client },
      status,
    });
    try {
      const code = await send(options.connection, path, await options.connection.token(), body);
      if (code >= 200 && code < 300) {
        written = key;
        return;
      }
      options.log('WARNING', 'camera health not written to the Client status', { status: code });
    } catch (error) {
      options.log('WARNING', 'camera health not written to the Client status', {
        error: String(error),
      });
    }
  };
  const timer = setInterval(() => {
    busy ??= flush().finally(() => {
      busy = undefined;
    });
  }, options.intervalMs ?? 2000);
  return {
    flush: () => busy ?? flush(),
    stop() {
      clearInterval(timer);
    },
  };
}
