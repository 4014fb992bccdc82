/** Test-only: a small video file made by ffmpeg, for the ingest tests. */

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Writes a two-second H.264 clip into `dir`, red on the left half and blue on the right. */
export function redBlueClip(dir: string): string {
  const path = join(dir, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
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
