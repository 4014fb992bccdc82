import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TimedFrame } from './ingest.js';
import { readVideoFile } from './video-file.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-video-file-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A two-second H.264 clip, red on the left half and blue on the right, made by ffmpeg. */
function clip(): string {
  const path = join(work, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=320x240:d=2:r=25,drawbox=x=160:y=0:w=160:h=240:color=blue:t=fill',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    path,
  ]);
  return path;
}

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
