/**
 * Ingest: a camera's stream decoded by ffmpeg (Debian's), sampled at the analysis rate and
 * scaled, as raw RGB frames. Files loop, for demos. A stream that fails is reopened with
 * backoff and jitter, and the reason is kept for the camera's status.
 */

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { RgbFrame } from './models/model.js';

/** A frame with the time it was taken, in seconds since the epoch. */
export interface TimedFrame extends RgbFrame {
  readonly t: number;
}

/** Options of {@link openStream}. */
export interface StreamOptions extends RawFrameFormat {
  /** `rtsp://`, `rtsps://`, `http(s)://` or `file://`. */
  readonly url: string;
  readonly transport?: 'tcp' | 'udp';
  /** The ffmpeg executable. */
  readonly ffmpeg?: string;
  /**
   * Called with each frame. At most `maxInFlight` calls run at once; beyond that ffmpeg's
   * output waits in the pipe, so a slow consumer slows the decoder instead of piling frames up.
   */
  readonly onFrame: (frame: TimedFrame) => Promise<void>;
  /** Frames handed over before earlier ones are done, so that stages overlap. Default 2. */
  readonly maxInFlight?: number;
  /** Whether files play at their own pace (a camera) or as fast as they are consumed. Default true. */
  readonly realtime?: boolean;
  /** Called when the stream goes up or down, with ffmpeg's reason when down. */
  readonly onState?: (state: { up: boolean; reason?: string; reconnects: number }) => void;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Called with the CPU seconds ffmpeg spent per frame, where the platform tells (Linux). */
  readonly onDecodeSeconds?: (seconds: number) => void;
}

/** How many frames go by between readings of ffmpeg's CPU time. */
const CPU_SAMPLE_FRAMES = 5;

/** Clock ticks per second of `/proc/<pid>/stat`: 100 on every Linux that Vigie runs on. */
const CLOCK_TICKS = 100;

/** A process's CPU time in seconds, from `/proc`; undefined where there is no `/proc`. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** An open camera stream. */
export interface CameraStream {
  close(): Promise<void>;
}

/** The size and rate of the raw frames ffmpeg writes. */
export interface RawFrameFormat {
  /** Frames per second to sample; the input's frames nearest each multiple of 1/fps. */
  readonly fps: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The ffmpeg arguments that decode an input into packed RGB frames of `format` on stdout:
 * every way the detector reads video (a camera's stream, a file read once) goes through here.
 * `input` is ffmpeg's input options, ending with `-i` and what to read.
 */
export function rawVideoArgs(input: readonly string[], format: RawFrameFormat): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    ...input,
    '-an',
    '-vf',
    `fps=${String(format.fps)},scale=${String(format.width)}:${String(format.height)}`,
    '-pix_fmt',
    'rgb24',
    '-f',
    'rawvideo',
    'pipe:1',
  ];
}

/** The ffmpeg arguments that decode `url` into raw RGB frames at the analysis rate and size. */
export function ffmpegArgs(options: StreamOptions): string[] {
  const url = new URL(options.url);
  const input: string[] = [];
  if (url.protocol === 'file:') {
    // Files loop forever and play at their own rate, as a camera would.
    if (options.realtime ?? true) input.push('-re');
    input.push('-stream_loop', '-1', '-i', decodeURIComponent(url.pathname));
  } else if (url.protocol === 'rtsp:' || url.protocol === 'rtsps:') {
    input.push(
      '-rtsp_transport',
      options.transport ?? 'tcp',
      '-timeout',
      '10000000',
      '-i',
      options.url,
    );
  } else {
    input.push('-rw_timeout', '10000000', '-i', options.url);
  }
  return rawVideoArgs(input, options);
}

/** The last meaningful line ffmpeg wrote, as the reason a stream is down. */
function reasonOf(stderr: string, code: number | null): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.at(-1) ?? `ffmpeg exited with code ${String(code)}`;
}

/** Opens a camera stream, reopening it after failures until closed. */
export function openStream(options: StreamOptions): CameraStream {
  const frameBytes = options.width * options.height * 3;
  const minBackoff = options.minBackoffMs ?? 1000;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let closed = false;
  // A function, not the variable: listeners called from here may close the stream.
  const isClosed = (): boolean => closed;
  let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  let reconnects = 0;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let done: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));

  function start(): void {
    if (closed) return;
    const proc = spawn(options.ffmpeg ?? 'ffmpeg', ffmpegArgs(options), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stderr = '';
    // Frames are assembled straight into their own buffer: one copy per byte, however ffmpeg
    // chunks its output.
    let frameData = new Uint8Array(frameBytes);
    let filled = 0;
    let up = false;
    let inFlight = 0;
    const maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    let cpu = 0;
    let framesSinceCpu = 0;
    // A file's frames are stamped by their place in the file, not by when they arrive, so that
    // every run over the same file (live, or `vigie poses`) sees the same times.
    const isFile = new URL(options.url).protocol === 'file:';
    const openedAt = Date.now() / 1000;
    let index = 0;
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    proc.stdout.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        frameData.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled < frameBytes) break;
        const data = frameData;
        frameData = new Uint8Array(frameBytes);
        filled = 0;
        framesSinceCpu++;
        // CPU time moves in 10 ms ticks: read it every few frames, and spread each tick over
        // the frames it covered.
        const used =
          options.onDecodeSeconds && framesSinceCpu >= CPU_SAMPLE_FRAMES
            ? cpuSeconds(proc.pid)
            : undefined;
        if (used !== undefined && used > cpu) {
          const perFrame = (used - cpu) / framesSinceCpu;
          for (let i = 0; i < framesSinceCpu; i++) options.onDecodeSeconds?.(perFrame);
          cpu = used;
          framesSinceCpu = 0;
        }
        if (!up) {
          up = true;
          failures = 0;
          options.onState?.({ up: true, reconnects });
        }
        const frame: TimedFrame = {
          data,
          width: options.width,
          height: options.height,
          t: isFile ? openedAt + index / options.fps : Date.now() / 1000,
        };
        index++;
        // Back-pressure: while analysis is behind, ffmpeg's output waits in the pipe.
        inFlight++;
        if (inFlight >= maxInFlight) proc.stdout.pause();
        options
          .onFrame(frame)
          .catch(() => undefined)
          .finally(() => {
            inFlight--;
            if (inFlight < maxInFlight) proc.stdout.resume();
          });
      }
    });
    proc.on('error', (error) => {
      stderr += `\n${error.message}`;
    });
    proc.on('close', (code) => {
      child = undefined;
      if (isClosed()) {
        done?.();
        return;
      }
      failures++;
      reconnects++;
      options.onState?.({ up: false, reason: reasonOf(stderr, code), reconnects });
      // The listener may have closed the stream on hearing it went down.
      if (isClosed()) {
        done?.();
        return;
      }
      const ceiling = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures - 1, 20));
      timer = setTimeout(start, ceiling / 2 + randomInt(Math.max(1, Math.floor(ceiling / 2))));
    });
  }

  start();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (!child) return;
      child.kill('SIGTERM');
      await finished;
    },
  };
}
