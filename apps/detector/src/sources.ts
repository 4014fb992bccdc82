/**
 * Where a camera's frames come from: a video stream decoded by ffmpeg, or, for demos and tests,
 * a pose recording (`file://…/name.poses.jsonl`) replayed at its own pace, with the people drawn
 * as skeletons so that its evidence has pictures too.
 */

import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { RuntimeCode } from '@vigie/log';
import type { PersonPose, PoseFrame, PoseRecordingHeader } from '@vigie/vision';
import { K, MIN_KEYPOINT_SCORE, parsePoseLine, readRecordingHeader, SKELETON } from '@vigie/vision';
import type { TimedFrame } from './ingest.js';

/**
 * Text fit to show anyone who may read a camera's status: every URL's user and password
 * removed, however ffmpeg or ffprobe quoted the stream's address.
 */
export function withoutCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1');
}

/** The registry's codes of a stream that is down. */
export type StreamErrorCode = Extract<RuntimeCode, `VIGIE_E_STREAM_${string}`>;

/** Why a stream is down, as a stable code, from what ffmpeg said. */
export function streamErrorCode(reason: string): StreamErrorCode {
  if (/\b401\b|unauthori[sz]ed|authentication/i.test(reason)) return 'VIGIE_E_STREAM_AUTH';
  if (/no such file|\b404\b|not found/i.test(reason)) return 'VIGIE_E_STREAM_NOT_FOUND';
  if (
    /refused|timed out|timeout|no route|name or service|name resolution|unreachable|reset by peer/i.test(
      reason,
    )
  ) {
    return 'VIGIE_E_STREAM_UNREACHABLE';
  }
  if (/invalid data|codec|decoder|unsupported|could not find/i.test(reason))
    return 'VIGIE_E_STREAM_CODEC';
  return 'VIGIE_E_STREAM_FAILED';
}

/** Whether a stream URL names a pose recording rather than video. */
export function isPoseRecording(url: string): boolean {
  return url.startsWith('file:') && new URL(url).pathname.endsWith('.jsonl');
}

/** The largest pose recording a camera will load. */
const MAX_RECORDING_BYTES = 64 * 1024 * 1024;

/** A pose recording: its frames, and its header when `vigie poses` made it. */
export interface PoseRecording {
  readonly header?: PoseRecordingHeader;
  readonly frames: readonly PoseFrame[];
}

/** Reads a pose recording; every line must be readable, or the camera reports why not. */
export async function loadPoseRecording(url: string): Promise<PoseRecording> {
  const path = decodeURIComponent(new URL(url).pathname);
  // The size is checked before reading, so that a huge file is refused, not loaded.
  if ((await stat(path)).size > MAX_RECORDING_BYTES) {
    throw new Error(`${path} is larger than 64 MiB`);
  }
  const text = await readFile(path, 'utf8');
  const frames: PoseFrame[] = [];
  let header: PoseRecordingHeader | undefined;
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    if (frames.length === 0 && header === undefined) {
      header = readRecordingHeader(line);
      if (header) continue;
    }
    const read = parsePoseLine(line);
    if (!read.ok)
      throw new Error(`${path}:${String(i + 1)}: ${read.problem.code} ${read.problem.message}`);
    frames.push(read.frame);
  }
  if (frames.length === 0) throw new Error(`${path} holds no frames`);
  return header ? { header, frames } : { frames };
}

const BONES: readonly (readonly [number, number])[] = [
  ...SKELETON,
  // The neck, so that a skeleton drawn alone has a head.
  [K.nose, K.left_shoulder],
  [K.nose, K.right_shoulder],
];

/** Draws people as skeletons on a plain background: the picture of a pose-recording camera. */
export async function drawPoses(
  width: number,
  height: number,
  persons: readonly PersonPose[],
): Promise<Uint8Array> {
  const lines: string[] = [];
  for (const p of persons) {
    for (const [a, b] of BONES) {
      const u = p.keypoints[a];
      const v = p.keypoints[b];
      if (!u || !v || u[2] < MIN_KEYPOINT_SCORE || v[2] < MIN_KEYPOINT_SCORE) continue;
      lines.push(
        `<line x1="${u[0].toFixed(1)}" y1="${u[1].toFixed(1)}" x2="${v[0].toFixed(1)}" y2="${v[1].toFixed(1)}"/>`,
      );
    }
    const nose = p.keypoints[K.nose];
    if (nose && nose[2] >= MIN_KEYPOINT_SCORE) {
      const r = Math.max(6, (p.box[3] - p.box[1]) * 0.06);
      lines.push(
        `<circle cx="${nose[0].toFixed(1)}" cy="${nose[1].toFixed(1)}" r="${r.toFixed(1)}" fill="#cbd5e1"/>`,
      );
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}"><rect width="100%" height="100%" fill="#1f2937"/><g stroke="#cbd5e1" stroke-width="6" stroke-linecap="round">${lines.join('')}</g></svg>`;
  const { data } = await sharp(Buffer.from(svg))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return data;
}

/** A replayed pose frame: the poses, and the picture drawn from them. */
export interface ReplayFrame {
  readonly frame: TimedFrame;
  readonly persons: readonly PersonPose[];
}

/**
 * Replays a recording in a loop at its own pace, mapping its times onto the clock. Resolves
 * when stopped.
 */
export async function replayPoses(options: {
  readonly frames: readonly PoseFrame[];
  readonly onFrame: (frame: ReplayFrame) => Promise<void>;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}): Promise<void> {
  const now = options.now ?? (() => Date.now() / 1000);
  const first = options.frames[0]?.t ?? 0;
  const span = (options.frames.at(-1)?.t ?? 0) - first + 1;
  let origin = now();
  // A function, not the property: the signal changes while this loop awaits.
  const aborted = (): boolean => options.signal.aborted;
  while (!aborted()) {
    for (const pose of options.frames) {
      if (aborted()) return;
      const due = origin + pose.t - first;
      const wait = (due - now()) * 1000;
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            options.signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, wait);
          options.signal.addEventListener('abort', done, { once: true });
        });
      }
      if (aborted()) return;
      const data = await drawPoses(pose.width, pose.height, pose.persons);
      await options.onFrame({
        frame: { data, width: pose.width, height: pose.height, t: due },
        persons: pose.persons,
      });
    }
    origin += span;
  }
}

/** The size of a video stream, from ffprobe. */
export function probeSize(
  url: string,
  transport: 'tcp' | 'udp',
  ffprobe = 'ffprobe',
  timeoutMs = 20_000,
): Promise<{ width: number; height: number }> {
  const args = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height',
    '-of',
    'json',
  ];
  // ffprobe's own socket timeout, shorter than ours, so that an unreachable camera is reported
  // in ffprobe's words ("Connection timed out") rather than by a kill.
  const socketTimeoutUs = String(Math.max(1, Math.floor(timeoutMs / 2)) * 1000);
  if (url.startsWith('rtsp')) args.push('-rtsp_transport', transport, '-timeout', socketTimeoutUs);
  else if (!url.startsWith('file:')) args.push('-rw_timeout', socketTimeoutUs);
  args.push('-i', url.startsWith('file:') ? decodeURIComponent(new URL(url).pathname) : url);
  return new Promise((resolve, reject) => {
    execFile(ffprobe, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) {
        const said = stderr
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '')
          .at(-1);
        reject(
          new Error(
            said ??
              (error.killed
                ? `timed out: the camera did not answer within ${String(timeoutMs / 1000)} s`
                : error.message),
          ),
        );
        return;
      }
      const parsed = JSON.parse(stdout) as { streams?: { width?: number; height?: number }[] };
      const stream = parsed.streams?.[0];
      if (!stream?.width || !stream.height) {
        reject(new Error('the stream has no video'));
        return;
      }
      resolve({ width: stream.width, height: stream.height });
    });
  });
}

/** The analysis size: the hints when given, else the stream's size scaled down to 1280 wide. */
export function analysisSize(
  stream: { width: number; height: number },
  hints: { width?: number; height?: number },
): { width: number; height: number } {
  if (hints.width && hints.height)
    return { width: hints.width - (hints.width % 2), height: hints.height - (hints.height % 2) };
  const scale = Math.min(1, 1280 / stream.width);
  const even = (n: number): number => Math.max(2, Math.round(n / 2) * 2);
  return { width: even(stream.width * scale), height: even(stream.height * scale) };
}
