#!/usr/bin/env node
// Labelling sheets for vtest.avi: each labelled frame as a PNG with a pixel grid in the frame's
// own coordinates, and numbered proposals to accept, correct or reject by eye. Proposals come
// from MoveNet MultiPose at 640 × 480 (boxes, and heads from the face keypoints); they only
// save typing: a person the model missed is added by hand, and every box is checked against
// the picture.
//
//   node testing/footage/tools/sheet.js OUT_DIR [FRAME...]       sheets and proposals.json
//   node testing/footage/tools/sheet.js --crop OUT.png FRAME X1 Y1 X2 Y2 [--boxes JSON]
//        a zoomed crop (4 ×) with a grid every 10 px, to place edges precisely
//
// Needs `npm run build` (for the model) and ffmpeg.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadMoveNetEngine } from '@vigie/detector';
import { vtestPath } from '../dist/index.js';
import { LABELLED } from './frames.js';

const WIDTH = 768;
const HEIGHT = 576;

/** The frame's RGB pixels, decoded by ffmpeg. */
function decode(frame) {
  return execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      vtestPath(),
      '-vf',
      `select=eq(n\\,${String(frame)})`,
      '-vsync',
      '0',
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { maxBuffer: WIDTH * HEIGHT * 3 + 1024 },
  );
}

function gridSvg(x1, y1, x2, y2, scale, step, labelEvery) {
  const w = (x2 - x1) * scale;
  const h = (y2 - y1) * scale;
  const parts = [];
  for (let x = Math.ceil(x1 / step) * step; x <= x2; x += step) {
    const major = x % labelEvery === 0;
    const px = (x - x1) * scale;
    parts.push(
      `<line x1="${px}" y1="0" x2="${px}" y2="${h}" stroke="${major ? '#ff00ff' : '#00ffff'}" stroke-opacity="${major ? 0.55 : 0.3}" stroke-width="1"/>`,
    );
    if (major)
      parts.push(
        `<text x="${px + 2}" y="12" font-size="12" font-family="sans-serif" fill="#ff00ff">${x}</text>`,
      );
  }
  for (let y = Math.ceil(y1 / step) * step; y <= y2; y += step) {
    const major = y % labelEvery === 0;
    const py = (y - y1) * scale;
    parts.push(
      `<line x1="0" y1="${py}" x2="${w}" y2="${py}" stroke="${major ? '#ff00ff' : '#00ffff'}" stroke-opacity="${major ? 0.55 : 0.3}" stroke-width="1"/>`,
    );
    if (major)
      parts.push(
        `<text x="2" y="${py - 2}" font-size="12" font-family="sans-serif" fill="#ff00ff">${y}</text>`,
      );
  }
  return parts;
}

function boxesSvg(boxes, x1, y1, scale) {
  const parts = [];
  for (const [i, b] of boxes.entries()) {
    const colour = b.colour ?? '#ffff00';
    const [bx1, by1, bx2, by2] = b.box;
    parts.push(
      `<rect x="${(bx1 - x1) * scale}" y="${(by1 - y1) * scale}" width="${(bx2 - bx1) * scale}" height="${(by2 - by1) * scale}" fill="none" stroke="${colour}" stroke-width="1.5"/>`,
    );
    if (b.head) {
      const [hx1, hy1, hx2, hy2] = b.head;
      parts.push(
        `<rect x="${(hx1 - x1) * scale}" y="${(hy1 - y1) * scale}" width="${(hx2 - hx1) * scale}" height="${(hy2 - hy1) * scale}" fill="none" stroke="#ff3030" stroke-width="1"/>`,
      );
    }
    parts.push(
      `<text x="${(bx1 - x1) * scale}" y="${(by1 - y1) * scale - 2}" font-size="13" font-weight="bold" font-family="sans-serif" fill="${colour}">${b.label ?? i}</text>`,
    );
  }
  return parts;
}

async function render(rgb, out, { x1, y1, x2, y2, scale, step, labelEvery, boxes }) {
  const w = Math.round((x2 - x1) * scale);
  const h = Math.round((y2 - y1) * scale);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${[
    ...gridSvg(x1, y1, x2, y2, scale, step, labelEvery),
    ...boxesSvg(boxes, x1, y1, scale),
  ].join('')}</svg>`;
  await sharp(rgb, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 })
    .resize(w, h, { kernel: 'nearest' })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toFile(out);
}

async function proposals(engine, rgb) {
  const w = 640;
  const h = 480;
  const resized = await sharp(rgb, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .raw()
    .toBuffer();
  const rows = await engine.run(Int32Array.from(resized), w, h);
  const sx = WIDTH / w;
  const sy = HEIGHT / h;
  const out = [];
  for (const row of rows) {
    const score = row[55] ?? 0;
    if (score < 0.12) continue;
    const box = [row[52] * w * sx, row[51] * h * sy, row[54] * w * sx, row[53] * h * sy].map(
      Math.round,
    );
    const face = [0, 1, 2, 3, 4]
      .map((k) => [row[k * 3 + 1] * w * sx, row[k * 3] * h * sy, row[k * 3 + 2]])
      .filter((p) => p[2] >= 0.2);
    const bh = box[3] - box[1];
    let head;
    if (face.length > 0) {
      const cx = face.reduce((s, p) => s + p[0], 0) / face.length;
      const cy = face.reduce((s, p) => s + p[1], 0) / face.length;
      const half = Math.max(4, bh * 0.07);
      head = [cx - half, cy - half * 1.2, cx + half, cy + half].map(Math.round);
    }
    out.push({ box, score: Math.round(score * 100) / 100, ...(head ? { head } : {}) });
  }
  return out;
}

const args = process.argv.slice(2);
if (args[0] === '--crop') {
  const [, out, frame, ...rest] = args;
  const boxesAt = rest.indexOf('--boxes');
  const [x1, y1, x2, y2] = rest.slice(0, 4).map(Number);
  const boxes = boxesAt >= 0 ? JSON.parse(rest[boxesAt + 1]) : [];
  await render(decode(Number(frame)), out, {
    x1: Math.max(0, x1),
    y1: Math.max(0, y1),
    x2: Math.min(WIDTH, x2),
    y2: Math.min(HEIGHT, y2),
    scale: 4,
    step: 10,
    labelEvery: 50,
    boxes,
  });
  console.log(out);
} else {
  const [dir, ...frames] = args;
  if (!dir) throw new Error('usage: sheet.js OUT_DIR [FRAME...]');
  mkdirSync(dir, { recursive: true });
  const engine = await loadMoveNetEngine();
  const all = {};
  const wanted = frames.length > 0 ? frames.map(Number) : LABELLED;
  for (const frame of wanted) {
    const rgb = decode(frame);
    const found = await proposals(engine, rgb);
    all[frame] = found;
    const name = join(dir, `f${String(frame).padStart(4, '0')}.png`);
    if (!existsSync(name) || frames.length > 0) {
      await render(rgb, name, {
        x1: 0,
        y1: 0,
        x2: WIDTH,
        y2: HEIGHT,
        scale: 1.5,
        step: 25,
        labelEvery: 100,
        boxes: found,
      });
    }
    process.stderr.write(`frame ${String(frame)}: ${String(found.length)} proposals\n`);
  }
  writeFileSync(join(dir, 'proposals.json'), `${JSON.stringify(all, null, 1)}\n`);
  engine.dispose();
}
