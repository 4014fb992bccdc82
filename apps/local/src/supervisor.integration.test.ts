/**
 * The supervisor's detectors never outlive `vigie up`: they stop when its process is killed,
 * and a run that could not stop them has them stopped by the next one on the same data folder,
 * which signals only processes that really are that folder's detectors.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { formatPoseLine } from '@vigie/vision';
import { startLocalPlatform } from './platform.js';
import { chainScenes } from './sample.js';
import { isShardDetector } from './supervisor-stale.js';

const here = dirname(fileURLToPath(import.meta.url));
const DETECTOR_MAIN = fileURLToPath(import.meta.resolve('@vigie/detector')).replace(
  /index\.js$/,
  'main.js',
);
const root = mkdtempSync(join(tmpdir(), 'vigie-supervisor-'));
const started: ChildProcess[] = [];

/** Whether a process runs (a zombie, dead but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function argumentsOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8')
      .split('\0')
      .filter(Boolean);
  } catch {
    return [];
  }
}

async function until<T>(what: string, probe: () => T | undefined, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const recording = join(root, 'scene.poses.jsonl');
writeFileSync(
  recording,
  `${chainScenes(['concealment'])
    .map((f) => formatPoseLine(f))
    .join('\n')}\n`,
);

/** A supervisor in a process of its own, running one client's detector, as `vigie up` does. */
const SUPERVISOR_SCRIPT = `
import { parseClientConfig, toClientResource } from ${JSON.stringify(import.meta.resolve('@vigie/config'))};
import { createSupervisor } from ${JSON.stringify(pathToFileURL(join(here, 'supervisor.js')).href)};
const [dataDir, detectorMain, xml] = process.argv.slice(2);
const parsed = parseClientConfig(Buffer.from(xml));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const supervisor = createSupervisor({
  dataDir,
  consoleUrl: 'http://127.0.0.1:9',
  detectorMain,
  ingestTokenFile: () => dataDir + '/token',
  secretsDir: () => dataDir + '/secrets',
  log: () => undefined,
});
await supervisor.sync([toClientResource(parsed.config)]);
process.stdout.write('synced\\n');
setInterval(() => undefined, 1000);
`;

function storeXml(id: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="${id}" name="Store" timezone="UTC">
  <contact name="Manager" email="manager@store.example"/>
  <cameras>
    <camera id="aisle" name="Aisle">
      <stream url="${pathToFileURL(recording).href}"/>
      <analysis fps="5" width="1280" height="720"/>
    </camera>
  </cameras>
</client>
`;
}

/** A DetectorConfig with no camera: the detector runs and serves its status port. */
function emptyDetectorConfig(client: string): string {
  return JSON.stringify({
    apiVersion: 'vigie.dev/v1alpha1',
    kind: 'DetectorConfig',
    client,
    shard: 'shard-0',
    timezone: 'UTC',
    detection: {},
    alerts: {},
    privacy: {},
    schedule: {},
    cameras: [],
  });
}

describe('detectors and the life of vigie up', { skip: process.platform !== 'linux' }, () => {
  after(() => {
    for (const child of started) {
      if (child.pid !== undefined && alive(child.pid)) child.kill('SIGKILL');
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('stops a detector when the process that started it is killed', async () => {
    const dataDir = join(root, 'killed');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'token'), 'a'.repeat(64));
    const scriptPath = join(root, 'supervisor-child.mjs');
    writeFileSync(scriptPath, SUPERVISOR_SCRIPT);
    const parent = spawn(
      process.execPath,
      [scriptPath, dataDir, DETECTOR_MAIN, storeXml('corner-shop')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    started.push(parent);
    const pidFile = join(dataDir, 'detectors/corner-shop/shard-0/detector.pid');
    const pid = await until('the detector’s PID file', () => {
      const written = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
      return written > 0 ? written : undefined;
    });
    assert.ok(
      isShardDetector(argumentsOf(pid), {
        detectorMain: DETECTOR_MAIN,
        configPath: join(dirname(pidFile), 'config.json'),
      }),
    );
    // Past its start, with its own signal handlers in place.
    await until('the detector to serve its status', () =>
      readFileSync(join(dirname(pidFile), 'detector.log'), 'utf8').includes('detector started')
        ? true
        : undefined,
    );

    parent.kill('SIGKILL');
    await until('the orphaned detector to stop', () => (alive(pid) ? undefined : true), 20);
  });

  it('stops, on start, a detector an earlier run left, and nothing else', async () => {
    const dataDir = join(root, 'restarted');
    const shardDir = join(dataDir, 'detectors/corner-shop/shard-0');
    mkdirSync(join(shardDir, 'data'), { recursive: true });
    const configPath = join(shardDir, 'config.json');
    writeFileSync(configPath, emptyDetectorConfig('corner-shop'));
    writeFileSync(join(root, 'token'), 'a'.repeat(64));
    // A detector as an earlier supervisor started it, without a supervisor to watch.
    const stale = spawn(
      process.execPath,
      [
        DETECTOR_MAIN,
        '--config',
        configPath,
        '--console',
        'http://127.0.0.1:9',
        '--ingest-token-file',
        join(root, 'token'),
        '--data-dir',
        join(shardDir, 'data'),
        '--secrets-dir',
        join(root, 'secrets'),
        '--host',
        '127.0.0.1',
        '--port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    started.push(stale);
    await new Promise((resolve) => stale.stdout.once('data', resolve));
    assert.ok(stale.pid !== undefined);
    writeFileSync(join(shardDir, 'detector.pid'), `${String(stale.pid)}\n`);
    // A PID file naming a process that is not a detector of this folder (a reused PID).
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    started.push(bystander);
    assert.ok(bystander.pid !== undefined);
    const otherDir = join(dataDir, 'detectors/other-shop/shard-0');
    mkdirSync(otherDir, { recursive: true });
    writeFileSync(join(otherDir, 'detector.pid'), `${String(bystander.pid)}\n`);

    const platform = await startLocalPlatform({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      sample: false,
      log: () => undefined,
    });
    try {
      assert.equal(alive(stale.pid), false, 'the stale detector is stopped');
      assert.equal(alive(bystander.pid), true, 'the other process is left alone');
    } finally {
      await platform.stop();
    }
  });
});
