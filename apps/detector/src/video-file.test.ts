import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TimedFrame } from './ingest.js';
import { readVideoFile } from './video-file.js';
import { redBlueClip } from './testing/clip.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-video-file-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A two-second H.264 clip, red on the left half and blue on the right. */
const clip = (): string => redBlueClip(work);

describe('video file', () => {
  it('reads a file once, at the analysis rate and size, timed from its start', async () => {
    const frames: TimedFrame[] = [];
    for await (const frame of readVideoFile({ path: clip(), fps: 5, width: 64, height: 48 })) {
      frames.push(frame);
    }
    // Two seconds at 5 fps, without looping.
    assert.equal(frames.length, 10);
    assert.deepEqual(
      frames.map((f) => f.t),
      [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8],
    );
    const frame = frames[0];
    assert.ok(frame);
    assert.equal(frame.data.length, 64 * 48 * 3);
    const [r, , b] = frame.data.subarray((24 * 64 + 10) * 3);
    assert.ok((r ?? 0) > 200 && (b ?? 255) < 60, 'left is red');
  });

  it("fails with ffmpeg's reason when the file cannot be read", async () => {
    const frames = readVideoFile({
      path: join(work, 'missing.mp4'),
      fps: 5,
      width: 64,
      height: 48,
    });
    await assert.rejects(frames.next(), /cannot read .*missing\.mp4: .*No such file/);
  });
});
