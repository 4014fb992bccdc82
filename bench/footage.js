#!/usr/bin/env node
// The detector on real footage: OpenCV's vtest.avi (a high fixed camera over a plaza, 1-8
// people 40-130 px tall), analysed as a camera would with the plaza zone layout, judged against
// the hand-made labels. Prints, for the tuning half (0-40 s) and the reported half (40-79.5 s):
// person recall and precision at IoU >= 0.5, people covered by a confirmed track, MOTA, IDF1,
// ID switches, unhidden labelled heads, alerts; and the cost: analysed fps on one core, CPU per
// frame on busy and quiet frames. Asserts nothing.
// Usage: node bench/footage.js [--pixels N] [--full]  (needs `npm run build`, ffmpeg and
// scripts/ensure-footage.sh). --pixels sets the input pixel budget; --full searches the whole
// frame every frame (no motion regions), for comparison.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseClientConfig } from '@vigie/config';
import {
  analyseVideoFile,
  createMoveNet,
  DEFAULT_REGION_SETTINGS,
  hiddenRegions,
} from '@vigie/detector';
import { evaluate, loadLabels, VTEST, vtestPath } from '@vigie/footage';
import { planClient } from '@vigie/plan';
import { repoRoot } from '@vigie/testenv';

const { values } = parseArgs({
  options: {
    pixels: { type: 'string' },
    full: { type: 'boolean', default: false },
    scale: { type: 'string' },
  },
});
const regions = {
  ...DEFAULT_REGION_SETTINGS,
  ...(values.pixels ? { inputPixels: Number(values.pixels) } : {}),
  ...(values.scale ? { maxScale: Number(values.scale) } : {}),
  ...(values.full ? { fullFrameSeconds: 0 } : {}),
};
const xml = readFileSync(`${repoRoot()}/testing/footage/scene/plaza.xml`);
const parsed = parseClientConfig(xml);
if (!parsed.ok) throw new Error('the plaza layout does not validate');
const shard = planClient(parsed.config.id, parsed.config).shards[0].config;
const camera = shard.cameras[0];
const model = await createMoveNet({ threads: 0 });
const labels = loadLabels();
const output = new Map();
const alerts = [];
const costs = [];
let cpu = process.cpuUsage();
for await (const r of analyseVideoFile({
  path: vtestPath(),
  config: shard,
  camera,
  model,
  regions,
})) {
  const used = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const frame = Math.round(r.frame.t * VTEST.fps);
  costs.push({
    frame,
    ms: (used.user + used.system) / 1000,
    pixels: r.perceived.regions.reduce((s, g) => s + g.inputWidth * g.inputHeight, 0),
    people: r.perceived.persons.length,
  });
  output.set(frame, {
    persons: r.perceived.persons,
    tracks: r.analysis.tracks,
    hidden: hiddenRegions(r.sightings),
  });
  alerts.push(...r.analysis.alerts.map((a) => ({ ...a, frame })));
}
model.dispose();

const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(
  `vtest.avi: ${String(output.size)} frames analysed at ${String(camera.analysis.fps)} fps; budget ${String(regions.inputPixels)} input px, max scale ${String(regions.maxScale)}${values.full ? ', whole frame every frame' : ''}`,
);
for (const [name, include] of [
  ['tuning half (0-40 s)', (f) => f < VTEST.reportFrom],
  ['reported half (40-79.5 s)', (f) => f >= VTEST.reportFrom],
]) {
  const f = evaluate(labels, output, include);
  const half = alerts.filter((a) => include(a.frame));
  console.log(`\n${name}: ${String(f.frames)} labelled frames, ${String(f.people)} people`);
  console.log(
    `  recall ${pct(f.recall)}  precision ${pct(f.precision)}  tracked ${pct(f.tracked)}  MOTA ${f.mota.toFixed(3)}  IDF1 ${f.idf1.toFixed(3)}  ID switches ${String(f.idSwitches)}`,
  );
  console.log(
    `  heads ${String(f.heads)}, unhidden ${String(f.unhiddenHeads)}${
      f.unhidden.length
        ? ` (${f.unhidden
            .slice(0, 6)
            .map((u) => `f${String(u.frame)}`)
            .join(' ')})`
        : ''
    }  alerts ${String(half.length)}${half.length ? ` (${half.map((a) => `${a.rule}@${a.t.toFixed(1)}s track ${String(a.trackId)} ${a.zone?.id ?? ''}`).join('; ')})` : ''}`,
  );
}
const busy = costs.filter((c) => c.people >= 3);
const quiet = costs.filter((c) => c.pixels === 0);
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const all = mean(costs.map((c) => c.ms));
console.log(
  `\ncost on one core: ${all.toFixed(0)} ms a frame on average, ${(1000 / all).toFixed(1)} fps; busy frames (3+ people, ${String(busy.length)}): ${mean(busy.map((c) => c.ms)).toFixed(0)} ms, ${(1000 / mean(busy.map((c) => c.ms))).toFixed(1)} fps; frames with no inference: ${String(quiet.length)}`,
);
