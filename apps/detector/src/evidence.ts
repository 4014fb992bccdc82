/**
 * Evidence: a snapshot of the decisive frame with the person and the zone drawn on it, and a
 * short clip of what led up to it, from a ring buffer of recent frames. Faces are pixelated
 * before a frame is kept anywhere, from the pose's head keypoints: Vigie never looks at faces,
 * it only hides them.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Alert, Box, PersonPose, PixelZone } from '@vigie/vision';
import { K, MIN_KEYPOINT_SCORE, SKELETON } from '@vigie/vision';
import type { TimedFrame } from './ingest.js';
import type { RgbFrame } from './models/model.js';

const HEAD = [K.nose, K.left_eye, K.right_eye, K.left_ear, K.right_ear];

/**
 * The head of a person, from the keypoints alone: around the visible face keypoints, sized by
 * the shoulders; above the shoulders when the face keypoints are hidden; else the top of the box.
 */
export function headRegion(person: PersonPose): Box {
  const visible = (i: number): readonly [number, number] | undefined => {
    const kp = person.keypoints[i];
    return kp && kp[2] >= MIN_KEYPOINT_SCORE ? [kp[0], kp[1]] : undefined;
  };
  const ls = visible(K.left_shoulder);
  const rs = visible(K.right_shoulder);
  const boxWidth = person.box[2] - person.box[0];
  const shoulderWidth = ls && rs ? Math.abs(ls[0] - rs[0]) : boxWidth * 0.6;
  const head = HEAD.map(visible).filter((p): p is readonly [number, number] => p !== undefined);
  let cx: number;
  let cy: number;
  if (head.length > 0) {
    cx = head.reduce((s, p) => s + p[0], 0) / head.length;
    cy = head.reduce((s, p) => s + p[1], 0) / head.length;
  } else if (ls && rs) {
    cx = (ls[0] + rs[0]) / 2;
    cy = (ls[1] + rs[1]) / 2 - shoulderWidth * 0.6;
  } else {
    cx = (person.box[0] + person.box[2]) / 2;
    cy = person.box[1] + (person.box[3] - person.box[1]) * 0.1;
  }
  // A head is about two-thirds of the shoulder width; the margin covers hair and turned heads.
  const half = Math.max(8, shoulderWidth * 0.5);
  return [cx - half, cy - half * 1.15, cx + half, cy + half * 1.3];
}

/** A part of a frame to pixelate, and the size of its cells in pixels. */
export interface HiddenRegion {
  readonly box: Box;
  readonly cell: number;
}

/** What a frame shows of people, for hiding their heads. */
export interface Sightings {
  /** The persons the model found, with their keypoints. */
  readonly persons: readonly PersonPose[];
  /** Other boxes that may hold a person: where tracks are, and what moved. */
  readonly others?: readonly Box[];
  /** The tops of moving shapes, where heads are (see `Motion.tops`). */
  readonly tops?: readonly Box[];
}

/**
 * The head band of a box that may hold a person: its top part and a margin, a little wider than
 * the box. A standing person's box is three or four times as tall as wide and their head is its
 * top seventh; a box of a head and shoulders (a close camera) is about as tall as wide, and its
 * head fills nearly half of it. The band follows that shape, with cells a quarter of its depth.
 */
function headBand(box: Box): HiddenRegion {
  const w = Math.max(1, box[2] - box[0]);
  const h = Math.max(1, box[3] - box[1]);
  const depth = h * Math.min(0.55, Math.max(0.25, 0.9 / (h / w)));
  // The margins cover a person who moved a step since the box was seen (tracks and recently
  // seen places lag behind).
  return {
    box: [box[0] - 0.25 * w, box[1] - 0.12 * h, box[2] + 0.25 * w, box[1] + depth + 0.08 * h],
    cell: Math.max(4, Math.ceil(depth / 4)),
  };
}

/**
 * Where to pixelate a frame so that no face shows, whether or not the pose model found the
 * person: each person's head from the keypoints, and the head band of every person box, track
 * box and moving shape. Faces under a high camera are a few pixels wide, too small for a face
 * detector, so heads are covered from where people are, never looked for.
 */
export function hiddenRegions(sightings: Sightings): HiddenRegion[] {
  const regions: HiddenRegion[] = [];
  for (const person of sightings.persons) {
    const head = headRegion(person);
    regions.push({ box: head, cell: Math.max(4, Math.ceil((head[3] - head[1]) / 4)) });
    regions.push(headBand(person.box));
  }
  for (const box of sightings.others ?? []) regions.push(headBand(box));
  for (const [x1, y1, x2, y2] of sightings.tops ?? []) {
    const margin = 0.3 * (y2 - y1);
    regions.push({
      box: [x1 - margin, y1 - margin, x2 + margin, y2],
      cell: Math.max(4, Math.ceil((y2 - y1) / 4)),
    });
  }
  return regions;
}

/** Pixelates regions of a frame in place, each in cells of its own size. */
export function pixelate(frame: RgbFrame, regions: readonly HiddenRegion[]): void {
  const { data, width, height } = frame;
  for (const { box, cell } of regions) {
    const [rx1, ry1, rx2, ry2] = box;
    const x1 = Math.max(0, Math.floor(rx1));
    const y1 = Math.max(0, Math.floor(ry1));
    const x2 = Math.min(width, Math.ceil(rx2));
    const y2 = Math.min(height, Math.ceil(ry2));
    if (x2 <= x1 || y2 <= y1) continue;
    const block = Math.max(2, Math.round(cell));
    for (let by = y1; by < y2; by += block) {
      for (let bx = x1; bx < x2; bx += block) {
        const ex = Math.min(x2, bx + block);
        const ey = Math.min(y2, by + block);
        let r = 0;
        let g = 0;
        let b = 0;
        let n = 0;
        for (let y = by; y < ey; y++) {
          for (let x = bx; x < ex; x++) {
            const i = (y * width + x) * 3;
            r += data[i] ?? 0;
            g += data[i + 1] ?? 0;
            b += data[i + 2] ?? 0;
            n++;
          }
        }
        r = Math.round(r / n);
        g = Math.round(g / n);
        b = Math.round(b / n);
        for (let y = by; y < ey; y++) {
          for (let x = bx; x < ex; x++) {
            const i = (y * width + x) * 3;
            data[i] = r;
            data[i + 1] = g;
            data[i + 2] = b;
          }
        }
      }
    }
  }
}

const ZONE_COLOURS: Readonly<Record<PixelZone['type'], string>> = {
  shelf: '#3b82f6',
  'high-value': '#a855f7',
  checkout: '#22c55e',
  exit: '#f59e0b',
  restricted: '#ef4444',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** The overlay of a snapshot: zones, the person's box and skeleton, and a caption. */
export function overlaySvg(
  width: number,
  height: number,
  zones: readonly PixelZone[],
  alert: Pick<Alert, 'rule' | 'trackId' | 'zone' | 'box'>,
  person: PersonPose | undefined,
  caption: string,
): string {
  const parts: string[] = [];
  for (const zone of zones) {
    const colour = ZONE_COLOURS[zone.type];
    const strong = zone.id === alert.zone?.id;
    const points = zone.polygon.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    parts.push(
      `<polygon points="${points}" fill="${colour}" fill-opacity="${strong ? '0.25' : '0.08'}" stroke="${colour}" stroke-width="${strong ? '4' : '2'}"/>`,
    );
  }
  const [x1, y1, x2, y2] = alert.box;
  parts.push(
    `<rect x="${x1.toFixed(1)}" y="${y1.toFixed(1)}" width="${(x2 - x1).toFixed(1)}" height="${(y2 - y1).toFixed(1)}" fill="none" stroke="#ef4444" stroke-width="4"/>`,
  );
  if (person) {
    for (const [a, b] of SKELETON) {
      const p = person.keypoints[a];
      const q = person.keypoints[b];
      if (!p || !q || p[2] < MIN_KEYPOINT_SCORE || q[2] < MIN_KEYPOINT_SCORE) continue;
      parts.push(
        `<line x1="${p[0].toFixed(1)}" y1="${p[1].toFixed(1)}" x2="${q[0].toFixed(1)}" y2="${q[1].toFixed(1)}" stroke="#facc15" stroke-width="3"/>`,
      );
    }
  }
  const size = Math.max(14, Math.round(height / 30));
  parts.push(
    `<rect x="0" y="0" width="${String(width)}" height="${String(size * 1.8)}" fill="#000" fill-opacity="0.6"/>`,
    `<text x="${String(size / 2)}" y="${String(size * 1.25)}" font-family="sans-serif" font-size="${String(size)}" fill="#fff">${escapeXml(caption)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}">${parts.join('')}</svg>`;
}

/** Options of {@link createEvidenceRecorder}. */
export interface EvidenceOptions {
  /** How many seconds of frames the clip covers, ending at the decisive frame. */
  readonly clipSeconds: number;
  readonly blurFaces: boolean;
  /** Clip frames are scaled down to this width at most. */
  readonly clipWidth?: number;
  readonly ffmpeg?: string;
}

/** What a recorder keeps and makes. */
export interface EvidenceRecorder {
  /**
   * Keeps a frame for clips, faces hidden first. Call it for every analysed frame, in order,
   * with what was seen of people in it. Returns the frame as it may be shown (faces hidden).
   */
  add(frame: TimedFrame, sightings: Sightings): Promise<RgbFrame>;
  /** A JPEG of a shown frame with the alert drawn on it. */
  snapshot(
    frame: RgbFrame,
    zones: readonly PixelZone[],
    alert: Alert,
    person: PersonPose | undefined,
    caption: string,
  ): Promise<Buffer>;
  /** An MP4 of the kept frames from `until - clipSeconds` to `until`; undefined when none. */
  clip(until: number): Promise<Buffer | undefined>;
  /** Frames held for clips. */
  readonly size: number;
}

interface Kept {
  readonly t: number;
  readonly jpeg: Buffer;
}

/** Creates the evidence recorder of one camera. */
export function createEvidenceRecorder(options: EvidenceOptions): EvidenceRecorder {
  const clipWidth = options.clipWidth ?? 640;
  let ring: Kept[] = [];
  return {
    get size() {
      return ring.length;
    },
    async add(frame, sightings) {
      let shown: RgbFrame = frame;
      const regions = options.blurFaces ? hiddenRegions(sightings) : [];
      if (regions.length > 0) {
        shown = { data: new Uint8Array(frame.data), width: frame.width, height: frame.height };
        pixelate(shown, regions);
      }
      const width = Math.min(clipWidth, frame.width);
      // Even sizes, as H.264 wants.
      const w = width - (width % 2);
      const h = Math.round((frame.height * w) / frame.width / 2) * 2;
      const jpeg = await sharp(shown.data, {
        raw: { width: frame.width, height: frame.height, channels: 3 },
      })
        .resize(w, h)
        .jpeg({ quality: 70 })
        .toBuffer();
      ring.push({ t: frame.t, jpeg });
      const oldest = frame.t - options.clipSeconds - 1;
      if ((ring[0]?.t ?? Infinity) < oldest) ring = ring.filter((k) => k.t >= oldest);
      return shown;
    },
    async snapshot(frame, zones, alert, person, caption) {
      const svg = overlaySvg(frame.width, frame.height, zones, alert, person, caption);
      return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
        .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
        .jpeg({ quality: 85 })
        .toBuffer();
    },
    async clip(until) {
      const frames = ring.filter((k) => k.t >= until - options.clipSeconds && k.t <= until);
      if (frames.length === 0) return undefined;
      const span = (frames.at(-1)?.t ?? 0) - (frames[0]?.t ?? 0);
      const fps = frames.length > 1 && span > 0 ? (frames.length - 1) / span : 5;
      const dir = await mkdtemp(join(tmpdir(), 'vigie-clip-'));
      try {
        const out = join(dir, 'clip.mp4');
        const list = join(dir, 'frames.mjpeg');
        await writeFile(list, Buffer.concat(frames.map((f) => f.jpeg)));
        await new Promise<void>((resolve, reject) => {
          execFile(
            options.ffmpeg ?? 'ffmpeg',
            [
              '-hide_banner',
              '-loglevel',
              'error',
              '-nostdin',
              '-f',
              'mjpeg',
              '-framerate',
              fps.toFixed(3),
              '-i',
              list,
              '-c:v',
              'libx264',
              '-preset',
              'veryfast',
              '-crf',
              '28',
              '-pix_fmt',
              'yuv420p',
              '-movflags',
              '+faststart',
              out,
            ],
            (error, _stdout, stderr) => {
              if (error)
                reject(new Error(`clip encoding failed: ${stderr.trim() || error.message}`));
              else resolve();
            },
          );
        });
        return await readFile(out);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
