/**
 * `vigie-detector` as a process: the address its metrics, probes and `/status` listen on. In a
 * pod the scraper must reach them (all interfaces); `vigie up` keeps them on the loopback.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'main.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  });
}

/** The IPv4 addresses listening on a TCP port, from the kernel's own table (Linux). */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    const [hex, portHex] = (local ?? '').split(':');
    if (state !== '0A' || hex === undefined || Number.parseInt(portHex ?? '', 16) !== port) {
      continue;
    }
    // /proc/net/tcp writes the address as one little-endian word.
    found.push([6, 4, 2, 0].map((i) => String(Number.parseInt(hex.slice(i, i + 2), 16))).join('.'));
  }
  return found;
}

const work = mkdtempSync(join(tmpdir(), 'vigie-detector-main-'));
const configPath = join(work, 'config.json');
const tokenFile = join(work, 'token');
writeFileSync(
  configPath,
  JSON.stringify({
    apiVersion: 'vigie.dev/v1alpha1',
    kind: 'DetectorConfig',
    client: 'corner-shop',
    shard: 'shard-0',
    timezone: 'UTC',
    detection: {},
    alerts: {},
    privacy: {},
    schedule: {},
    cameras: [],
  }),
);
writeFileSync(tokenFile, 'a'.repeat(64));

const children: ChildProcess[] = [];

async function listening(extra: string[]): Promise<string[]> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      MAIN,
      '--config',
      configPath,
      '--console',
      'http://127.0.0.1:9',
      '--ingest-token-file',
      tokenFile,
      '--data-dir',
      join(work, `data-${String(port)}`),
      '--secrets-dir',
      join(work, 'secrets'),
      '--port',
      String(port),
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let i = 0; i < 300; i++) {
    const found = listeners(port);
    if (found.length > 0) return found;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the detector did not listen on ${String(port)}: ${stderr}`);
}

describe('vigie-detector status port', { skip: process.platform !== 'linux' }, () => {
  after(() => {
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('listens on the loopback only when told --host 127.0.0.1 (vigie up)', async () => {
    assert.deepEqual(await listening(['--host', '127.0.0.1']), ['127.0.0.1']);
  });

  it('listens on every interface by default, so that a pod’s scraper reaches it', async () => {
    assert.deepEqual(await listening([]), ['0.0.0.0']);
  });
});
