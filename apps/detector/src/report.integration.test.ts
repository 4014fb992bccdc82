import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { buildClientCrd, CLIENT_SCHEMA, parseClientConfig, toClientResource } from '@vigie/config';
import { silentLogger } from '@vigie/log';
import type { ControlPlane } from '@vigie/testenv';
import { installCrd, repoRoot, startControlPlane, toolsBinDir } from '@vigie/testenv';
import type { CameraStatus } from './camera.js';
import type { KubeConnection } from './report.js';
import { createStatusReporter } from './report.js';

let cp: ControlPlane;
let connection: KubeConnection;

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  // As the cluster admin, with the kubeconfig's token and CA; the reporter is given the same.
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, connection.server),
      {
        method,
        ca: connection.ca,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            json: text === '' ? undefined : JSON.parse(text),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

let token = '';

const camera = (
  id: string,
  up: boolean,
  error?: { code: string; message: string },
): CameraStatus => ({
  id,
  name: id,
  up,
  reconnects: 0,
  activeTracks: 0,
  framesAnalysed: 0,
  alerts: 0,
  scheduled: true,
  ...(error ? { error } : {}),
});

describe('camera health in the Client status', () => {
  before(async () => {
    cp = await startControlPlane({ binDir: toolsBinDir(process.env), controllers: false });
    await installCrd(cp.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
    token = /^\s+token: (.+)$/m.exec(cp.kubeconfig)?.[1]?.trim() ?? '';
    const caData = /certificate-authority-data: (.+)$/m.exec(cp.kubeconfig)?.[1]?.trim() ?? '';
    connection = {
      server: cp.server,
      ca: Buffer.from(caData, 'base64').toString(),
      token: () => Promise.resolve(token),
    };
    const parsed = parseClientConfig(readFileSync(join(repoRoot(), 'examples/demo-store.xml')));
    assert.ok(parsed.ok);
    const created = await api(
      'POST',
      '/apis/vigie.dev/v1alpha1/clients',
      toClientResource(parsed.config),
    );
    assert.ok(created.status < 300, JSON.stringify(created.json));
  });
  after(async () => {
    await cp.stop();
  });

  it('writes each shard its own cameras, only when they change', async () => {
    let shard0 = [camera('entrance', true)];
    const shard1 = [
      camera('aisle', false, { code: 'VIGIE_E_STREAM_AUTH', message: '401 Unauthorized' }),
    ];
    const reporters = [
      createStatusReporter({
        connection,
        client: 'demo-store',
        shard: 'shard-0',
        cameras: () => shard0,
        log: silentLogger,
        intervalMs: 60_000,
      }),
      createStatusReporter({
        connection,
        client: 'demo-store',
        shard: 'shard-1',
        cameras: () => shard1,
        log: silentLogger,
        intervalMs: 60_000,
      }),
    ];
    try {
      for (const r of reporters) await r.flush();
      const read = async () =>
        (await api('GET', '/apis/vigie.dev/v1alpha1/clients/demo-store')).json as {
          metadata: { resourceVersion: string };
          status: {
            detectors: Record<
              string,
              { cameras: { id: string; state: string; reason?: string }[] }
            >;
          };
        };
      const first = await read();
      const all = (status: typeof first.status) =>
        Object.values(status.detectors).flatMap((d) => d.cameras);
      assert.deepEqual(
        all(first.status)
          .map((c) => [c.id, c.state, c.reason])
          .sort(),
        [
          ['aisle', 'Down', 'VIGIE_E_STREAM_AUTH'],
          ['entrance', 'Up', undefined],
        ],
      );
      // Nothing changed: nothing is written.
      for (const r of reporters) await r.flush();
      assert.equal((await read()).metadata.resourceVersion, first.metadata.resourceVersion);
      // Shard 0's camera goes down: only its entry changes, shard 1's stays.
      shard0 = [
        camera('entrance', false, {
          code: 'VIGIE_E_STREAM_UNREACHABLE',
          message: 'Connection refused',
        }),
      ];
      await reporters[0]?.flush();
      const later = await read();
      assert.deepEqual(Object.keys(later.status.detectors).sort(), ['shard-0', 'shard-1']);
      assert.deepEqual(
        all(later.status)
          .map((c) => [c.id, c.state])
          .sort(),
        [
          ['aisle', 'Down'],
          ['entrance', 'Down'],
        ],
      );
    } finally {
      for (const r of reporters) r.stop();
    }
  });
});
