/**
 * `vigie up` against a local attacker: what a process on the machine, or anyone who can reach
 * the console's port, gets without the admin token. Traffic goes to 127.0.0.1 only.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { formatPoseLine } from '@vigie/vision';
import type { LocalPlatform } from './platform.js';
import { startLocalPlatform } from './platform.js';
import { chainScenes } from './sample.js';
import { ingestTokenPath } from './secrets.js';

const root = mkdtempSync(join(tmpdir(), 'vigie-local-'));
const data = join(root, 'data');
const footage = join(root, 'scene.poses.jsonl');

/** A store whose one camera replays a recorded scene. */
function storeXml(id: string, recording: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="${id}" name="Store ${id}" timezone="Europe/Paris">
  <contact name="Manager" email="manager@${id}.example"/>
  <cameras>
    <camera id="aisle" name="Aisle">
      <stream url="${pathToFileURL(recording).href}"/>
      <analysis fps="5" width="1280" height="720"/>
      <zones>
        <zone id="shelf" type="shelf" name="Shelf" points="0.02,0.12 0.24,0.12 0.24,0.52 0.02,0.52"/>
      </zones>
    </camera>
  </cameras>
</client>
`;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  seconds = 60,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: Error | undefined;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error : new Error(String(error));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${last.message}`}`);
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
    found.push([6, 4, 2, 0].map((i) => String(Number.parseInt(hex.slice(i, i + 2), 16))).join('.'));
  }
  return found;
}

/** Posts an (empty) alert with an ingest token; only the status matters. */
async function ingest(platform: LocalPlatform, token: string): Promise<number> {
  const response = await fetch(`${platform.url}/api/v1/ingest/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  await response.arrayBuffer();
  return response.status;
}

describe('vigie up against local attackers', { skip: process.platform !== 'linux' }, () => {
  let platform: LocalPlatform;
  before(async () => {
    writeFileSync(
      footage,
      `${chainScenes(['concealment'])
        .map((f) => formatPoseLine(f))
        .join('\n')}\n`,
    );
    platform = await startLocalPlatform({
      dataDir: data,
      host: '127.0.0.1',
      port: 0,
      sample: false,
      log: (severity, message, fields) => {
        if (severity === 'ERROR') console.error(message, fields);
      },
    });
    mkdirSync(platform.configsDir, { recursive: true });
  });
  after(async () => {
    await platform.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a removed client’s ingest token', async () => {
    const file = join(platform.configsDir, 'gone-shop.xml');
    writeFileSync(file, storeXml('gone-shop', footage));
    const tokenFile = ingestTokenPath(join(data, 'secrets'), 'gone-shop');
    const token = await until('the client’s ingest token', () =>
      Promise.resolve(existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined),
    );
    await until('the token to be accepted', async () =>
      (await ingest(platform, token)) === 401 ? undefined : true,
    );

    await unlink(file);
    await until('the client to be removed', () =>
      Promise.resolve(
        platform.clients.list().some((c) => c.metadata.name === 'gone-shop') ? undefined : true,
      ),
    );
    // The console trusts a token it has recognised for up to 10 s without asking again.
    await until(
      'the removed client’s token to be refused',
      async () => ((await ingest(platform, token)) === 401 ? true : undefined),
      20,
    );
  });

  it('serves metrics, which name every client, only on a loopback port of their own', async () => {
    const onApi = await fetch(`${platform.url}/metrics`);
    assert.doesNotMatch(await onApi.text(), /vigie_console/);
    assert.notEqual(onApi.status, 200);

    const metrics = new URL(platform.metricsUrl);
    assert.equal(metrics.hostname, '127.0.0.1');
    assert.deepEqual(listeners(Number(metrics.port)), ['127.0.0.1']);
    const scraped = await fetch(platform.metricsUrl);
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /vigie_console_http_requests_total/);
  });

  it('keeps each detector’s status port on the loopback', async () => {
    writeFileSync(join(platform.configsDir, 'open-shop.xml'), storeXml('open-shop', footage));
    const shards = await until('the detector to run', () => {
      const running = platform.supervisor
        .shards()
        .filter((s) => s.client === 'open-shop' && s.state === 'running');
      return Promise.resolve(running.length > 0 ? running : undefined);
    });
    for (const shard of shards) assert.deepEqual(listeners(shard.port), ['127.0.0.1']);
  });
});
