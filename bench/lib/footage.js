// The real-footage run shared by bench/footage.js and bench/detector.js: vtest.avi analysed as a
// camera with the plaza layout would, frame after frame on one core, judged against the labels.
import { readFileSync } from 'node:fs';
import { parseClientConfig } from '@vigie/config';
import { analyseVideoFile, createMoveNet, hiddenRegions } from '@vigie/detector';
import { evaluate, loadLabels, VTEST, vtestPath } from '@vigie/footage';
import { planClient } from '@vigie/plan';
import { holdsGoods, K, pointInPolygon, zonesInPixels } from '@vigie/vision';
import { repoRoot } from '@vigie/testenv';

/** The plaza layout's shard config and camera. */
export function plazaCamera() {
  const parsed = parseClientConfig(readFileSync(`${repoRoot()}/testing/footage/scene/plaza.xml`));
  if (!parsed.ok) throw new Error('testing/footage/scene/plaza.xml does not validate');
  const shard = planClient(parsed.config.id, parsed.config).shards[0].config;
  return { shard, camera: shard.cameras[0] };
}

/**
 * Analyses the whole clip with `regions` (the region budget) and returns the figures of both
 * halves, the alerts, how often people were in floor zones and reached towards goods, and the
 * CPU time per frame of this process (model included: it runs in this thread).
 */
export async function runFootage(regions) {
  const { shard, camera } = plazaCamera();
  const model = await createMoveNet({ threads: 0 });
  const output = new Map();
  const alerts = [];
  const costs = [];
  let inZones = 0;
  let wristsInGoods = 0;
  let reaches = 0;
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
      inferred: r.perceived.regions.length > 0,
      people: r.perceived.persons.length,
    });
    output.set(frame, {
      persons: r.perceived.persons,
      tracks: r.analysis.tracks,
      hidden: hiddenRegions(r.sightings),
    });
    alerts.push(...r.analysis.alerts.map((a) => ({ ...a, frame })));
    inZones += r.analysis.observations.filter((o) => o.present.length > 0).length;
    const goods = zonesInPixels(camera.zones, r.frame.width, r.frame.height).filter(holdsGoods);
    for (const o of r.analysis.observations) {
      const wrists = [o.pose.keypoints[K.left_wrist], o.pose.keypoints[K.right_wrist]];
      if (
        wrists.some(
          (w) => w && w[2] >= 0.3 && goods.some((z) => pointInPolygon([w[0], w[1]], z.polygon)),
        )
      )
        wristsInGoods++;
      if (o.reach.left || o.reach.right) reaches++;
    }
  }
  model.dispose();
  const labels = loadLabels();
  const halves = [
    ['tuning half (0-40 s)', (f) => f < VTEST.reportFrom],
    ['reported half (40-79.5 s)', (f) => f >= VTEST.reportFrom],
  ].map(([name, include]) => ({
    name,
    figures: evaluate(labels, output, include),
    alerts: alerts.filter((a) => include(a.frame)),
  }));
  return { halves, alerts, costs, inZones, wristsInGoods, reaches, frames: output.size, camera };
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/** Prints a run's figures. */
export function printFootage(run, indent = '') {
  for (const { name, figures: f, alerts } of run.halves) {
    console.log(
      `${indent}${name}: ${String(f.frames)} labelled frames, ${String(f.people)} people`,
    );
    console.log(
      `${indent}  recall ${pct(f.recall)}  precision ${pct(f.precision)}  tracked ${pct(f.tracked)}  MOTA ${f.mota.toFixed(3)}  IDF1 ${f.idf1.toFixed(3)}  ID switches ${String(f.idSwitches)}`,
    );
    console.log(
      `${indent}  labelled heads ${String(f.heads)}, unhidden ${String(f.unhiddenHeads)}${
        f.unhidden.length
          ? ` (${f.unhidden
              .slice(0, 6)
              .map((u) => `frame ${String(u.frame)}`)
              .join(', ')})`
          : ''
      }; alerts ${String(alerts.length)}${alerts.length ? `: ${alerts.map((a) => `${a.rule} at ${a.t.toFixed(1)} s, track ${String(a.trackId)}`).join('; ')}` : ''}`,
    );
  }
  const busy = run.costs.filter((c) => c.people >= 3);
  console.log(
    `${indent}tracked people inside a zone in ${String(run.inZones)} track-frames; a wrist inside a goods zone in ${String(run.wristsInGoods)}, of which reaches ${String(run.reaches)}`,
  );
  console.log(
    `${indent}CPU on one core: ${mean(run.costs.map((c) => c.ms)).toFixed(0)} ms a frame (${(1000 / mean(run.costs.map((c) => c.ms))).toFixed(1)} fps); busy frames (3+ people, ${String(busy.length)} of ${String(run.costs.length)}): ${mean(busy.map((c) => c.ms)).toFixed(0)} ms (${(1000 / mean(busy.map((c) => c.ms))).toFixed(1)} fps)`,
  );
}
