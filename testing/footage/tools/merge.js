#!/usr/bin/env node
// Merges the labellers' files (labels/parts/*.json, one per labeller) into labels/vtest.json,
// checking every box: inside the frame, x1 < x2 and y1 < y2, ids distinct within a frame, and
// every run complete. Usage: node testing/footage/tools/merge.js
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELLED, RUNS } from './frames.js';

const dir = new URL('../labels/', import.meta.url).pathname;
const frames = {};
for (const name of readdirSync(join(dir, 'parts')).sort()) {
  const part = JSON.parse(readFileSync(join(dir, 'parts', name), 'utf8'));
  for (const [frame, people] of Object.entries(part.frames)) {
    if (frames[frame]) throw new Error(`frame ${frame} is labelled twice`);
    frames[frame] = people.map((p) => ({
      id: p.id,
      box: p.box,
      ...(p.head ? { head: p.head } : {}),
      ...(p.ignore ? { ignore: true } : {}),
    }));
  }
}
const ok = (b) =>
  Array.isArray(b) && b.length === 4 && b[0] >= 0 && b[1] >= 0 && b[2] <= 768 && b[3] <= 576 &&
  b[0] < b[2] && b[1] < b[3];
for (const [frame, people] of Object.entries(frames)) {
  if (Number(frame) % 2 !== 0) throw new Error(`frame ${frame} is not an analysed frame`);
  const ids = new Set();
  for (const p of people) {
    if (!ok(p.box) || (p.head && !ok(p.head))) throw new Error(`frame ${frame} id ${p.id}: bad box`);
    if (ids.has(p.id)) throw new Error(`frame ${frame}: id ${p.id} twice`);
    ids.add(p.id);
  }
}
const missing = LABELLED.filter((f) => !frames[f]);
if (missing.length > 0) console.warn(`merge: not labelled yet: ${missing.join(' ')}`);
const runs = RUNS.filter((r) => r.frames.every((f) => frames[f])).map((r) => ({
  id: r.id,
  frames: r.frames,
}));
const sorted = Object.fromEntries(
  Object.keys(frames)
    .map(Number)
    .sort((a, b) => a - b)
    .map((f) => [String(f), frames[f]]),
);
writeFileSync(join(dir, 'vtest.json'), `${JSON.stringify({ clip: 'vtest.avi', runs, frames: sorted }, null, 1)}\n`);
const people = Object.values(frames).flat();
console.log(
  `merge: ${String(Object.keys(frames).length)} frames, ${String(runs.length)} runs, ${String(people.length)} people (${String(people.filter((p) => p.ignore).length)} ignored), ${String(people.filter((p) => p.head).length)} heads`,
);
