import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { TimedFrame } from './ingest.js';
import { openStream } from './ingest.js';
import { streamErrorCode } from './sources.js';
import { redBlueClip } from './testing/clip.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-ingest-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A two-second H.264 clip, red on the left half and blue on the right. */
const clip = (): string => redBlueClip(work);

describe('ingest', () => {
  it('decodes a file, samples it at the analysis rate and scales it, looping', async () => {
    const frames: TimedFrame[] = [];
    const started = Date.now();
    let enough: () => void = () => undefined;
    const got = new Promise<void>((resolve) => (enough = resolve));
    const stream = openStream({
      url: pathToFileURL(clip()).href,
      fps: 5,
      width: 64,
      height: 48,
      onFrame: (frame) => {
        frames.push(frame);
        if (frames.length === 12) enough();
        return Promise.resolve();
      },
    });
    await got;
    await stream.close();
    // 12 frames at 5 fps take over two seconds of a two-second clip: it looped.
    assert.ok(Date.now() - started > 1800);
    const frame = frames[0];
    assert.ok(frame);
    assert.equal(frame.data.length, 64 * 48 * 3);
    const pixel = (x: number, y: number): number[] => [
      ...frame.data.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3),
    ];
    const [r1, , b1] = pixel(10, 24);
    const [r2, , b2] = pixel(54, 24);
    assert.ok((r1 ?? 0) > 200 && (b1 ?? 255) < 60, 'left is red');
    assert.ok((b2 ?? 0) > 200 && (r2 ?? 255) < 60, 'right is blue');
  });

  it("reports a stream it cannot open with ffmpeg's reason, and keeps retrying", async () => {
    const states: { up: boolean; reason?: string; reconnects: number }[] = [];
    let twice: () => void = () => undefined;
    const down = new Promise<void>((resolve) => (twice = resolve));
    const stream = openStream({
      url: pathToFileURL(join(work, 'missing.mp4')).href,
      fps: 5,
      width: 64,
      height: 48,
      minBackoffMs: 10,
      onFrame: () => Promise.resolve(),
      onState: (state) => {
        states.push(state);
        if (states.length === 2) twice();
      },
    });
    await down;
    await stream.close();
    const [first] = states;
    assert.ok(first);
    assert.equal(first.up, false);
    assert.match(first.reason ?? '', /No such file or directory/);
    assert.equal(states[1]?.reconnects, 2);
  });

  it('names a stream ffmpeg cannot decode, with a code of its own', async () => {
    const garbage = join(work, 'garbage.mp4');
    writeFileSync(garbage, Buffer.alloc(64 * 1024, 7));
    const reason = await new Promise<string>((resolve) => {
      const stream = openStream({
        url: pathToFileURL(garbage).href,
        fps: 5,
        width: 64,
        height: 48,
        minBackoffMs: 60_000,
        onFrame: () => Promise.resolve(),
        onState: (state) => {
          if (!state.up) {
            void stream.close();
            resolve(state.reason ?? '');
          }
        },
      });
    });
    assert.match(reason, /Invalid data found when processing input/);
    assert.equal(streamErrorCode(reason), 'VIGIE_E_STREAM_CODEC');
  });

  it('maps what ffmpeg says to stable codes', () => {
    const cases: [string, string][] = [
      ['[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized', 'VIGIE_E_STREAM_AUTH'],
      ['rtsp://cam/stream: Connection refused', 'VIGIE_E_STREAM_UNREACHABLE'],
      [
        '[tcp @ 0x1] Failed to resolve hostname cam.invalid: Name or service not known',
        'VIGIE_E_STREAM_UNREACHABLE',
      ],
      ['[rtsp @ 0x55] method DESCRIBE failed: 404 Not Found', 'VIGIE_E_STREAM_NOT_FOUND'],
      ['/media/none.mp4: No such file or directory', 'VIGIE_E_STREAM_NOT_FOUND'],
      ['ffmpeg exited with code 1', 'VIGIE_E_STREAM_FAILED'],
    ];
    for (const [reason, code] of cases) assert.equal(streamErrorCode(reason), code, reason);
  });
});
