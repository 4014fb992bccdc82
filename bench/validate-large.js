#!/usr/bin/env node
// Benchmark: how long `parseClientConfig` takes on large configs (parse, schema checks, semantic
// checks). Prints figures; asserts nothing. Run with `npm run bench` after `npm run build`.
import { parseClientConfig } from '@vigie/config';

const NS = 'https://vigie.dev/schemas/client/v1alpha1';

/** A realistic config: every camera with a stream, analysis settings and four zones. */
function config(cameras) {
  const zone = (id, type, x) =>
    `<zone id="${id}" type="${type}" name="Zone ${id}" points="${x},0.1 ${x + 0.2},0.1 ${x + 0.2},0.5 ${x + 0.1},0.6 ${x},0.5"/>`;
  const camera = (i) => `
    <camera id="cam-${i}" name="Camera ${i}">
      <stream url="rtsp://10.${Math.floor(i / 250)}.${i % 250}.10:554/stream1" credentialsSecret="store-cameras"/>
      <analysis fps="5" width="1280" height="720"/>
      <zones>
        ${zone('shelf', 'shelf', 0.05)}
        ${zone('high', 'high-value', 0.3)}
        ${zone('till', 'checkout', 0.55)}
        ${zone('door', 'exit', 0.75)}
      </zones>
    </camera>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="${NS}" id="bench" name="Benchmark hypermarket" timezone="Europe/Paris">
  <contact name="Bench" email="bench@vigie.example"/>
  <schedule><window days="mon-sat" open="08:00" close="21:00"/></schedule>
  <cameras>${Array.from({ length: cameras }, (_, i) => camera(i)).join('')}
  </cameras>
</client>`;
}

function measure(bytes, runs) {
  for (let i = 0; i < 5; i++) parseClientConfig(bytes);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = parseClientConfig(bytes);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (!result.ok)
      throw new Error(`benchmark config is invalid: ${JSON.stringify(result.problems[0])}`);
  }
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(runs / 2)],
    p95: times[Math.floor(runs * 0.95)],
    min: times[0],
  };
}

const runs = Number(process.argv[2] ?? 50);
const results = {};
for (const cameras of [50, 500]) {
  const bytes = new TextEncoder().encode(config(cameras));
  const m = measure(bytes, runs);
  results[cameras] = m;
  console.log(
    `validate ${String(cameras).padStart(4)} cameras (${(bytes.length / 1024).toFixed(0)} KiB): ` +
      `median ${m.median.toFixed(2)} ms, p95 ${m.p95.toFixed(2)} ms, min ${m.min.toFixed(2)} ms over ${runs} runs`,
  );
}
const ratio = results[500].median / results[50].median;
console.log(`scaling: 500 cameras take ${ratio.toFixed(1)}x the time of 50 (10x would be linear)`);
console.log(`node ${process.version}, ${process.arch}`);
