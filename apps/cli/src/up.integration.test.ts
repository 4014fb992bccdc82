/**
 * `vigie up` end to end, as a newcomer runs it: the real CLI process, the folder bucket, the
 * config function, detector processes and the console. A store is onboarded by dropping its
 * XML, a theft is replayed on its camera, the alert arrives with evidence and is dismissed; the
 * file is edited, broken and deleted; Ctrl-C stops everything, and a restart keeps the data.
 */

import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { chainScenes } from '@vigie/local';
import { formatPoseLine } from '@vigie/vision';
import { repoRoot } from '@vigie/testenv';
import { chromium } from 'playwright-core';
import { VIGIE_BIN } from './testing/run.js';

function chromiumPath(): string {
  const found = spawnSync('which', ['chromium'], { encoding: 'utf8' });
  if (found.status !== 0 || found.stdout.trim() === '') {
    throw new Error(
      'the browser step needs Debian\'s "chromium" (scripts/ensure-debian-packages.sh)',
    );
  }
  return found.stdout.trim();
}

const root = mkdtempSync(join(tmpdir(), 'vigie-up-'));
const data = join(root, 'data');
const configs = join(data, 'bucket/client-configs');
const footage = join(root, 'theft.poses.jsonl');

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly token: string;
  readonly output: () => string;
}

async function up(...args: string[]): Promise<Running> {
  const child = spawn(
    process.execPath,
    [VIGIE_BIN, 'up', '--data', data, '--port', '0', '--metrics-port', '0', '--no-sample', ...args],
    { cwd: repoRoot() },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (let i = 0; i < 600; i++) {
    const url = /Console {6}(http:\/\/\S+)/.exec(output)?.[1];
    const token = /Admin token {2}(vga_\S+)/.exec(output)?.[1];
    if (url && token) return { child, url, token, output: () => output };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`vigie up did not start:\n${output}`);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  seconds = 90,
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
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

function storeXml(options: { sensitivity?: string; broken?: boolean } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="corner-shop" name="Corner Shop" timezone="Europe/Paris">
  <contact name="Manager" email="manager@corner-shop.example"/>
  <detection sensitivity="${options.sensitivity ?? 'medium'}"/>
  <cameras>
    <camera id="aisle" name="Cosmetics aisle">
      <stream url="${pathToFileURL(footage).href}"/>
      <analysis fps="5" width="1280" height="720"/>
      <zones>
        <zone id="cosmetics" type="shelf" name="Cosmetics shelf" points="0.02,0.12 0.24,0.12 0.24,0.52 0.02,0.52"/>
        <zone id="perfume" type="high-value" name="Perfume counter" points="0.40,0.10 0.60,0.10 0.60,0.38 0.40,0.38"/>
        <zone id="tills" type="checkout" name="Tills" points="0.68,0.55 0.92,0.55 0.92,0.80 0.68,0.80"/>
        <zone id="door" type="exit" name="Main door" points="0.36,0.90 0.64,0.90 0.64,1 0.36,1"/>
        ${options.broken ? '<zone id="door" type="exit" name="Twice" points="0,0 1,0 1,1"/>' : ''}
      </zones>
    </camera>
  </cameras>
</client>
`;
}

describe('vigie up', () => {
  let running: Running | undefined;
  after(() => {
    running?.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    assert.ok(running);
    const response = await fetch(`${running.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${running.token}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string> | undefined),
      },
    });
    if (!response.ok)
      throw new Error(`${path}: ${String(response.status)} ${await response.text()}`);
    return (await response.json()) as T;
  };
  interface Client {
    name: string;
    state: string;
    message?: string;
    spec?: { detection: { sensitivity: string } };
    lastReport?: { result: string; problems: { code: string; line: number }[] };
    cameras: { camera: string; state: string }[];
  }
  const client = async (name: string) =>
    (await api<{ clients: Client[] }>('/api/v1/clients')).clients.find((c) => c.name === name);

  let alertId = '';

  it('onboards a store dropped into the folder, and its camera comes up', async () => {
    writeFileSync(
      footage,
      `${chainScenes(['concealment'])
        .map((f) => formatPoseLine(f))
        .join('\n')}\n`,
    );
    running = await up();
    writeFileSync(join(configs, 'corner-shop.xml'), storeXml());
    const ready = await until('the store to be Ready', async () => {
      const c = await client('corner-shop');
      return c?.state === 'Ready' ? c : undefined;
    });
    assert.deepEqual(
      ready.cameras.map((c) => [c.camera, c.state]),
      [['aisle', 'Up']],
    );
    assert.match(readFileSync(join(configs, 'corner-shop.xml.report.txt'), 'utf8'), /ACCEPTED/);
  });

  it('raises an alert with evidence for the replayed theft, and records its dismissal', async () => {
    const alert = await until('an alert with its snapshot and clip', async () => {
      const page = await api<{
        alerts: { id: string; rule: string; evidence: string[]; explanation: string }[];
      }>('/api/v1/alerts?client=corner-shop');
      return page.alerts.find(
        (a) => a.evidence.includes('snapshot') && a.evidence.includes('clip'),
      );
    });
    alertId = alert.id;
    assert.equal(alert.rule, 'concealment');
    assert.match(alert.explanation, /Cosmetics shelf/);
    assert.ok(running);
    const snapshot = await fetch(`${running.url}/api/v1/alerts/${alertId}/evidence/snapshot`, {
      headers: { authorization: `Bearer ${running.token}` },
    });
    const bytes = new Uint8Array(await snapshot.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');

    // What a newcomer sees: the alert in the browser, with its snapshot.
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--no-sandbox'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      await page.goto(`${running.url}/`);
      await page.fill('#token', running.token);
      await page.click('button[type=submit]');
      await page.locator(`tr[data-alert-id="${alertId}"]`).click();
      // Polled with evaluate: the console's CSP forbids the eval that waitForFunction uses.
      await until('the snapshot in the browser', async () =>
        (await page.evaluate(
          `document.querySelector('[data-testid=snapshot]')?.naturalWidth === 1280`,
        ))
          ? true
          : undefined,
      );
      const shots = process.env.VIGIE_SCREENSHOTS ?? root;
      await page.screenshot({ path: join(shots, 'vigie-up-alert.png'), fullPage: true });
    } finally {
      await browser.close();
    }

    const reviewed = await api<{ status: string; review: { note: string; by: string } }>(
      `/api/v1/alerts/${alertId}/review`,
      { method: 'POST', body: JSON.stringify({ verdict: 'dismissed', note: 'Test replay.' }) },
    );
    assert.equal(reviewed.status, 'dismissed');
    assert.equal(reviewed.review.by, 'admin');
  });

  it('applies an edit live, and keeps the last good config when the file breaks', async () => {
    writeFileSync(join(configs, 'corner-shop.xml'), storeXml({ sensitivity: 'high' }));
    await until('the new sensitivity', async () =>
      (await client('corner-shop'))?.spec?.detection.sensitivity === 'high' ? true : undefined,
    );
    const detectorConfig = join(data, 'detectors/corner-shop/shard-0/config.json');
    assert.match(readFileSync(detectorConfig, 'utf8'), /"sensitivity": "high"/);

    writeFileSync(join(configs, 'corner-shop.xml'), storeXml({ sensitivity: 'low', broken: true }));
    const rejected = await until('the broken file to be reported', async () => {
      const c = await client('corner-shop');
      return c?.state === 'Rejected' ? c : undefined;
    });
    assert.match(rejected.message ?? '', /previous config keeps running/);
    assert.equal(rejected.spec?.detection.sensitivity, 'high');
    assert.ok(rejected.lastReport?.problems.some((p) => p.code === 'VIGIE_E_DUPLICATE_ID'));
    assert.match(readFileSync(join(configs, 'corner-shop.xml.report.txt'), 'utf8'), /REJECTED/);
    assert.deepEqual(
      rejected.cameras.map((c) => c.state),
      ['Up'],
    );
  });

  it('shows a new file that was never valid with its problems', async () => {
    writeFileSync(join(configs, 'not-xml.xml'), 'this is not a config');
    const c = await until('the rejected newcomer', async () => {
      const found = await client('not-xml');
      return found?.state === 'Rejected' ? found : undefined;
    });
    assert.equal(c.spec, undefined);
    assert.ok((c.lastReport?.problems.length ?? 0) > 0);
  });

  it('removes the store when its file is deleted', async () => {
    unlinkSync(join(configs, 'corner-shop.xml'));
    await until('the store to be gone', async () =>
      (await client('corner-shop')) === undefined ? true : undefined,
    );
  });

  it('stops cleanly on Ctrl-C, and keeps alerts, reviews and the token across a restart', async () => {
    assert.ok(running);
    const { child, token } = running;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(running.output(), /vigie up: stopped\./);
    assert.equal(existsSync(join(data, 'vigie.pid')), false);

    running = await up();
    assert.equal(running.token, token);
    const alert = await api<{ status: string; review: { note: string } }>(
      `/api/v1/alerts/${alertId}`,
    );
    assert.equal(alert.status, 'dismissed');
    assert.equal(alert.review.note, 'Test replay.');
    const stopped = new Promise<number | null>((resolve) => running?.child.once('exit', resolve));
    running.child.kill('SIGTERM');
    assert.equal(await stopped, 0);
  });
});
