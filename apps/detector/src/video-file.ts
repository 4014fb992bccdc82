/**
 * A video file read once, start to end, at the analysis rate: the frames a camera showing that
 * file would analyse, with times counted from the file's start. Nothing is dropped when analysis
 * is slower than the file, so that every run over the same file sees the same frames.
 */

import { spawn } from 'node:child_process';
import type { RawFrameFormat, TimedFrame } from './ingest.js';
import { rawVideoArgs } from './ingest.js';

/** Options of {@link readVideoFile}. */
export interface VideoFileOptions extends RawFrameFormat {
  readonly path: string;
  readonly ffmpeg?: string;
}

/** The file's frames at `fps`, `t` in seconds from the start of the file. */
export async function* readVideoFile(options: VideoFileOptions): AsyncGenerator<TimedFrame> {
  const bytes = options.width * options.height * 3;
  const child = spawn(options.ffmpeg ?? 'ffmpeg', rawVideoArgs(['-i', options.path], options), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let frame = new Uint8Array(bytes);
  let filled = 0;
  let index = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(bytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === bytes) {
          yield {
            data: frame,
            width: options.width,
            height: options.height,
            t: index / options.fps,
          };
          index++;
          frame = new Uint8Array(bytes);
          filled = 0;
        }
      }
    }
    const code = await exited;
    if (code !== 0) {
      throw new Error(
        `cannot read ${options.path}: ${stderr.trim().split('\n').at(-1) ?? `ffmpeg exited with ${String(code)}`}`,
      );
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
