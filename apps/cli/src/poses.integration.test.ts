import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseClientConfig } from '@vigie/config';
import { startDetector } from '@vigie/detector';
import { vtestPath } from '@vigie/footage';
import { silentLogger } from '@vigie/log';
import { planClient } from '@vigie/plan';
import type { Alert } from '@vigie/vision';
import { repoRoot } from '@vigie/testenv';
import { vigie } from './testing/run.js';

// Real footage (20 s of vtest.avi) through both paths a user has: the live detector reading the
// file as a camera, and "vigie poses" then "vigie replay" on the same file. The layout is the
// plaza's with a restricted zone over the crossing people walk through, so that there are alerts
// to compare.
const work = mkdtempSync(join(tmpdir(), 'vigie-poses-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

const SECONDS = 20;
const clip = join(work, 'plaza.avi');
const configPath = join(work, 'plaza.xml');

function key(a: Alert, shift: number): string {
  return `${a.rule} track ${String(a.trackId)} zone ${a.zone?.id ?? '-'} at ${(a.t - shift).toFixed(3)} s`;
}

describe('vigie poses and vigie replay on real footage', { timeout: 600_000 }, () => {
  before(() => {
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      vtestPath(),
      '-t',
      String(SECONDS),
      '-c',
      'copy',
      clip,
    ]);
    const plaza = readFileSync(join(repoRoot(), 'testing/footage/scene/plaza.xml'), 'utf8')
      .replace('file:///footage/vtest.avi', pathToFileURL(clip).href)
      .replace(
        '</zones>',
        '  <zone id="crossing" type="restricted" name="Crossing" points="0.25,0.32 0.75,0.32 0.75,0.55 0.25,0.55"/>\n      </zones>',
      );
    writeFileSync(configPath, plaza);
  });

  it('replays a recording made with vigie poses into the alerts the live detector raised on the same video', async () => {
    const poses = await vigie('poses', '--config', configPath, '--camera', 'plaza', clip);
    assert.equal(poses.code, 0, poses.stderr);
    assert.match(poses.stderr, /100 frames at 5 fps/);
    const recording = join(work, 'plaza.jsonl');
    writeFileSync(recording, poses.stdout);
    const header = JSON.parse(poses.stdout.slice(0, poses.stdout.indexOf('\n'))) as {
      model: string;
      width: number;
    };
    assert.equal(header.model, 'movenet-multipose');
    assert.equal(header.width, 768);
    const replay = await vigie('replay', '--config', configPath, '--camera', 'plaza', recording);
    assert.equal(replay.code, 0, replay.stderr);
    const replayed = replay.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Alert);
    assert.ok(replayed.length > 0, 'people walk through the crossing: there are alerts');

    // The live detector, reading the same file as a camera (at its own pace, looping).
    const parsed = parseClientConfig(readFileSync(configPath));
    assert.ok(parsed.ok);
    const shard = planClient(parsed.config.id, parsed.config).shards[0]?.config;
    assert.ok(shard);
    const detectorConfig = join(work, 'detector.json');
    writeFileSync(detectorConfig, JSON.stringify(shard));
    const live: Alert[] = [];
    const detector = await startDetector({
      configPath: detectorConfig,
      dataDir: join(work, 'data'),
      secretsDir: join(work, 'secrets'),
      port: 0,
      log: silentLogger,
      sink: {
        deliver(_id, body, kind) {
          // Clips are MP4 bytes; only alerts are compared.
          if (kind === 'clip') return Promise.resolve();
          const message = JSON.parse(Buffer.from(body).toString('utf8')) as {
            type: string;
            alert?: Alert;
          };
          if (message.type === 'alert' && message.alert) live.push(message.alert);
          return Promise.resolve();
        },
      },
    });
    try {
      const analysed = (): number => detector.status().cameras[0]?.framesAnalysed ?? 0;
      const deadline = Date.now() + 300_000;
      while (analysed() < SECONDS * 5 + 10 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(analysed() >= SECONDS * 5, `the camera analysed ${String(analysed())} frames`);
    } finally {
      await detector.stop();
    }
    // Live frames are stamped from when the camera opened the file; the recording's from 0.
    const first = replayed[0];
    const firstLive = live.find((a) => a.rule === first?.rule && a.trackId === first.trackId);
    assert.ok(first && firstLive, 'the live detector raised the first alert too');
    const shift = firstLive.t - first.t;
    assert.deepEqual(
      live.filter((a) => a.t - shift < SECONDS - 0.1).map((a) => key(a, shift)),
      replayed.map((a) => key(a, 0)),
    );
  });
});
