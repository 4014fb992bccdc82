#!/usr/bin/env node
// Benchmark: tracking and behaviour rules on the simulator's scenes, whose ground truth is known.
// Prints, per scenario over SEEDS seeds, the CLEAR MOT figures (MOTA, ID switches, misses, false
// positives) and the analysis rate; then precision and recall per behaviour over all scenes.
// Usage: node bench/tracking.js [SEEDS]. Needs `npm run build`. Asserts nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClientConfig } from '@vigie/config';
import { planClient } from '@vigie/plan';
import { addCounts, evaluate, renderScenario, SCENARIO_NAMES, zeroCounts } from '@vigie/simulator';
import { createCameraAnalyzer, createMotAccumulator } from '@vigie/vision';
import { repoRoot } from '@vigie/testenv';

const seeds = Number(process.argv[2] ?? 10);
const parsed = parseClientConfig(readFileSync(join(repoRoot(), 'examples/demo-store.xml')));
const shard = planClient(parsed.config.id, parsed.config).shards[0].config;
const settings = {
  client: shard.client,
  camera: shard.cameras[0],
  rules: shard.detection,
  cooldownSeconds: shard.alerts.cooldownSeconds,
};

const total = zeroCounts();
const falseByScenario = {};
console.log(`tracking and rules on simulated scenes, ${seeds} seeds each (5 fps)`);
console.log(
  'scenario              frames  objects   MOTA   IDSW  misses  false+  frames/s  false alerts',
);
for (const name of SCENARIO_NAMES) {
  let frames = 0;
  let ms = 0;
  const mot = createMotAccumulator();
  let falseAlerts = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const scenario = renderScenario(name, { seed });
    const analyzer = createCameraAnalyzer({ settings });
    const alerts = [];
    scenario.frames.forEach((frame, i) => {
      const started = performance.now();
      const result = analyzer.analyze(frame);
      ms += performance.now() - started;
      alerts.push(...result.alerts);
      mot.add(
        scenario.truth.frames[i].objects,
        result.tracks.map((t) => ({ id: t.id, box: t.box })),
      );
    });
    frames += scenario.frames.length;
    const verdict = evaluate(scenario, alerts);
    addCounts(total, verdict);
    falseAlerts += verdict.falseAlerts.length;
  }
  falseByScenario[name] = falseAlerts;
  const r = mot.result();
  console.log(
    `${name.padEnd(20)} ${String(frames).padStart(7)} ${String(r.objects).padStart(8)} ${r.mota.toFixed(3).padStart(6)} ` +
      `${String(r.idSwitches).padStart(6)} ${String(r.misses).padStart(7)} ${String(r.falsePositives).padStart(7)} ` +
      `${((frames * 1000) / ms).toFixed(0).padStart(9)} ${String(falseAlerts).padStart(13)}`,
  );
}
console.log('\nbehaviour              incidents caught  alerts correct  precision  recall');
for (const [behaviour, c] of Object.entries(total)) {
  const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
  console.log(
    `${behaviour.padEnd(22)} ${String(c.incidents).padStart(9)} ${String(c.caught).padStart(6)}  ` +
      `${String(c.alerts).padStart(6)} ${String(c.correct).padStart(7)}  ${pct(c.correct, c.alerts).padStart(9)}  ${pct(c.caught, c.incidents).padStart(6)}`,
  );
}
