import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { ControlPlane } from '@vigie/testenv';
import { repoRoot } from '@vigie/testenv';
import { createHandler } from '../handler.js';
import { createKubeClientStore } from '../kube-store.js';
import { startClientCluster } from '../test-cluster.js';
import { createFolderObjectStore } from './folder-store.js';
import type { FolderWatcher } from './watcher.js';
import { watchFolder } from './watcher.js';

const minimal = readFileSync(join(repoRoot(), 'examples/minimal.xml'), 'utf8');
const config = (name: string) => minimal.replace('name="Corner Shop"', `name="${name}"`);

let cp: ControlPlane;
let api: KubernetesObjectApi;
let watcher: FolderWatcher;
const root = mkdtempSync(join(tmpdir(), 'vigie-bucket-'));
const configs = join(root, 'client-configs');

type ClientObject = KubernetesObject & {
  spec: { name: string; source?: { bucket: string; generation: string } };
};

async function clientName(): Promise<string | undefined> {
  try {
    const client = await api.read<ClientObject>({
      apiVersion: 'vigie.dev/v1alpha1',
      kind: 'Client',
      metadata: { name: 'corner-shop' },
    });
    return client.spec.name;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/** Waits until `check` holds; the watcher works asynchronously. */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting until ${what}`);
}

before(async () => {
  const cluster = await startClientCluster();
  cp = cluster.controlPlane;
  api = cluster.api;
  const kc = cluster.admin;
  mkdirSync(configs, { recursive: true });
  // A file present before the watcher starts is processed at start.
  writeFileSync(join(configs, 'corner-shop.xml'), config('Before start'));
  const objects = createFolderObjectStore(root);
  watcher = watchFolder({
    root,
    objects,
    handle: createHandler({
      objects,
      clients: createKubeClientStore(() => kc),
      log: () => undefined,
    }),
    onOutcome: (name, outcome) => {
      if (outcome instanceof Error) console.error(`watcher: ${name}: ${outcome.message}`);
    },
  });
  await watcher.ready;
});

after(async () => {
  watcher.close();
  await cp.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('local mode: a folder plays the bucket', () => {
  it('applies files present at start, with a report next to them', async () => {
    assert.equal(await clientName(), 'Before start');
    const report = JSON.parse(
      readFileSync(join(configs, 'corner-shop.xml.report.json'), 'utf8'),
    ) as { status: string; bucket: string };
    assert.equal(report.status, 'Accepted');
    assert.equal(report.bucket, 'local');
  });

  it('applies changes', async () => {
    writeFileSync(join(configs, 'corner-shop.xml'), config('Changed'));
    await eventually(async () => (await clientName()) === 'Changed', 'the change is applied');
  });

  it('keeps the last good config on a bad change and reports it next to the file', async () => {
    writeFileSync(
      join(configs, 'corner-shop.xml'),
      config('Broken').replace('timezone="Europe/Paris"', 'timezone="Mars/Olympus"'),
    );
    await eventually(
      () => readFileSync(join(configs, 'corner-shop.xml.report.txt'), 'utf8').includes('REJECTED'),
      'the report says rejected',
    );
    assert.match(
      readFileSync(join(configs, 'corner-shop.xml.report.txt'), 'utf8'),
      /VIGIE_E_TIMEZONE_UNKNOWN/,
    );
    assert.equal(await clientName(), 'Changed');
  });

  it('removes the Client and its reports when the file is deleted', async () => {
    rmSync(join(configs, 'corner-shop.xml'));
    await eventually(async () => (await clientName()) === undefined, 'the Client is removed');
    await eventually(
      () => !existsSync(join(configs, 'corner-shop.xml.report.json')),
      'the report is removed',
    );
  });
});
