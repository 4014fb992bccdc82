#!/usr/bin/env node
// Benchmark: the detector on this machine, in one run so that the figures compare as ratios.
//  1. The bare inference rate of the default model (MoveNet MultiPose, WebAssembly, one thread)
//     on a frame with three people.
//  2. The whole pipeline on one camera showing those three people (ffmpeg decode, model,
//     tracking, rules, evidence), through the real detector: analysed fps, CPU cores used, fps
//     per core, the time per stage, and the ratio of pipeline throughput to bare inference.
//  3. Alert latency, from the decisive frame to the console storing the alert, over 20 alerts
//     raised while the video camera keeps the CPU busy.
//  4. The simulator's figures: tracking and behaviour rules on the scripted scenes (bench/tracking.js).
//  5. Real footage (vtest.avi, labelled by hand): recall, precision, tracks, MOTA, IDF1, unhidden
//     heads and alerts with the default settings, frame after frame on one core; then the real
//     detector with that clip as a live camera (busy) and with the same plaza empty (quiet):
//     analysed fps and CPU cores, ffmpeg's decoding included.
// Usage: node bench/detector.js [PIPELINE_SECONDS]. Needs `npm run build`, ffmpeg and
// scripts/ensure-footage.sh. Asserts nothing.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { parseClientConfig } from '@vigie/config';
import { loadMoveNetEngine, moveNetInput, startDetector } from '@vigie/detector';
import { silentLogger } from '@vigie/log';
import { planClient } from '@vigie/plan';
import { apparentHeight, createRandom, renderPerson, SPOTS, wristFor } from '@vigie/simulator';
import { formatPoseLine } from '@vigie/vision';
import { repoRoot } from '@vigie/testenv';
import { vtestPath } from '@vigie/footage';
import { plazaCamera, printFootage, runFootage } from './lib/footage.js';
import { regionSettings } from '@vigie/detector';

const seconds = Number(process.argv[2] ?? 30);
const require = createRequire(import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'vigie-bench-detector-'));
const photo = join(
  dirname(require.resolve('@vladmandic/face-api/package.json')),
  'demo/sample1.jpg',
);

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** CPU seconds of this process's ffmpeg children, from /proc. */
function ffmpegCpu() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (comm === 'ffmpeg' && Number(fields[1]) === process.pid) {
        total += (Number(fields[11]) + Number(fields[12])) / 100;
      }
    } catch {
      // gone
    }
  }
  return total;
}

function demoConfig(cameras) {
  const parsed = parseClientConfig(readFileSync(join(repoRoot(), 'examples/demo-store.xml')));
  const config = planClient(parsed.config.id, parsed.config).shards[0].config;
  const base = config.cameras[0];
  return {
    ...config,
    // Each visit of the stock room is its own incident here, so that alerts come every few seconds.
    alerts: { cooldownSeconds: 1 },
    cameras: cameras.map((c) => ({
      ...base,
      ...c,
      stream: { ...base.stream, ...c.stream },
      analysis: { ...base.analysis, ...c.analysis },
    })),
  };
}

try {
  // The clip: the photograph of three people, 1280 pixels wide, as 20 s of H.264 at 25 fps.
  const clip = join(work, 'people.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-loop',
    '1',
    '-i',
    photo,
    '-t',
    '20',
    '-r',
    '25',
    '-vf',
    'scale=1280:-2',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-g',
    '25',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  const { data, info } = await sharp(photo)
    .resize(1280)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const frame = { data, width: info.width, height: info.height };

  // 1. Bare inference.
  const engine = await loadMoveNetEngine();
  const { pixels } = await moveNetInput(frame, 256);
  for (let i = 0; i < 5; i++) await engine.run(pixels.slice(), 256, 256);
  const runs = 30;
  let started = performance.now();
  for (let i = 0; i < runs; i++) await engine.run(pixels.slice(), 256, 256);
  const inferenceMs = (performance.now() - started) / runs;
  engine.dispose();
  const bareRate = 1000 / inferenceMs;

  // 2 and 3. The detector, with the video camera and a pose-recording camera for alerts.
  const stored = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      // Clips come as MP4 bytes (PUT …/clip); only alerts carry the time measured.
      if (req.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString());
        if (body.type === 'alert') stored.push(Date.now() / 1000 - body.alert.t);
      }
      res.writeHead(201).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // A visitor steps into the stock room every 3.8 s, for 0.6 s: one alert each.
  const random = createRandom(7);
  const lines = [];
  const foot = SPOTS.stockroom;
  const height = apparentHeight(foot[1]);
  for (let visit = 0; visit < 24; visit++) {
    for (let k = 0; k < 3; k++) {
      const body = {
        foot,
        height,
        phase: 0,
        left: wristFor({ kind: 'relaxed' }, 'left', foot, height),
        right: wristFor({ kind: 'relaxed' }, 'right', foot, height),
      };
      lines.push(
        formatPoseLine({
          t: visit * 3.8 + k * 0.2,
          width: 1280,
          height: 720,
          persons: [renderPerson(body, { noise: 0.003, dropout: 0, score: 0.9 }, random)],
        }),
      );
    }
  }
  lines.push(formatPoseLine({ t: 24 * 3.8, width: 1280, height: 720, persons: [] }));
  const recording = join(work, 'visitors.poses.jsonl');
  writeFileSync(recording, lines.join('\n'));
  const video = {
    id: 'video',
    name: 'Video',
    stream: { url: pathToFileURL(clip).href },
    analysis: { fps: 25, width: 1280, height: 854 },
  };
  const configPath = join(work, 'config.json');
  writeFileSync(configPath, JSON.stringify(demoConfig([video])));
  writeFileSync(join(work, 'token'), 'bench');
  const detector = await startDetector({
    configPath,
    consoleUrl: `http://127.0.0.1:${server.address().port}`,
    tokenFile: join(work, 'token'),
    dataDir: join(work, 'data'),
    secretsDir: join(work, 'secrets'),
    port: 0,
    log: silentLogger,
    configPollMs: 500,
  });
  const analysed = () =>
    detector.status().cameras.find((c) => c.id === 'video')?.framesAnalysed ?? 0;
  while (analysed() < 10) await new Promise((r) => setTimeout(r, 200));
  const stageBefore = await detector.metrics.stageSeconds.get();
  const frames0 = analysed();
  const cpu0 = process.cpuUsage();
  const ff0 = ffmpegCpu();
  started = performance.now();
  console.error(`bench: measuring the pipeline for ${seconds} s`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (performance.now() - started) / 1000;
  const frames = analysed() - frames0;
  const cpu = process.cpuUsage(cpu0);
  const detectorCores = (cpu.user + cpu.system) / 1e6 / wall;
  const ffmpegCores = (ffmpegCpu() - ff0) / wall;
  const stageAfter = await detector.metrics.stageSeconds.get();
  const stage = (name, which) => {
    const pick = (m) =>
      m.values.find(
        (v) => v.labels.stage === name && v.metricName === `vigie_detector_stage_seconds_${which}`,
      )?.value ?? 0;
    return pick(stageAfter) - pick(stageBefore);
  };
  const fps = frames / wall;
  const cores = detectorCores + ffmpegCores;
  const tracks = detector.status().cameras.find((c) => c.id === 'video')?.activeTracks;

  console.log(
    `detector benchmark (${new Date().toISOString().slice(0, 10)}, node ${process.version})`,
  );
  console.log(
    `  bare MoveNet inference, 1 thread, 256×256: ${inferenceMs.toFixed(1)} ms → ${bareRate.toFixed(2)} inferences/s`,
  );
  console.log(
    `  pipeline, 1 camera, 1280×854, ${tracks} people tracked, ${wall.toFixed(0)} s: ${fps.toFixed(2)} analysed fps`,
  );
  console.log(
    `  CPU: ${cores.toFixed(2)} cores (detector ${detectorCores.toFixed(2)}, ffmpeg ${ffmpegCores.toFixed(2)}) → ${(fps / cores).toFixed(2)} analysed fps per core`,
  );
  console.log(`  pipeline / bare inference: ${(fps / bareRate).toFixed(3)}`);
  console.log('  time per frame, by stage (mean ms):');
  for (const name of ['decode', 'inference', 'tracking', 'rules', 'evidence']) {
    const count = stage(name, 'count');
    console.log(
      `    ${name.padEnd(10)} ${count === 0 ? 'n/a' : ((stage(name, 'sum') / count) * 1000).toFixed(2)}`,
    );
  }

  // 3. Alerts from the visitors' camera, with the video camera still running.
  writeFileSync(
    configPath,
    JSON.stringify(
      demoConfig([
        video,
        { id: 'visitors', name: 'Visitors', stream: { url: pathToFileURL(recording).href } },
      ]),
    ),
  );
  console.error('bench: measuring alert latency over 20 alerts (about 80 s)');
  const deadline = Date.now() + 150_000;
  while (stored.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await detector.stop();
  server.close();
  console.log(
    `  alert latency, decisive frame → stored by the console, ${stored.length} alerts: p50 ${(percentile(stored, 50) * 1000).toFixed(0)} ms, p95 ${(percentile(stored, 95) * 1000).toFixed(0)} ms, max ${(Math.max(...stored) * 1000).toFixed(0)} ms`,
  );

  // 4. The simulator's scenes.
  console.error('bench: the simulator scenes (bench/tracking.js, 3 seeds)');
  const simulated = execFileSync(process.execPath, [join(repoRoot(), 'bench/tracking.js'), '3'], {
    encoding: 'utf8',
  });
  console.log('\nsimulated scenes (bench/tracking.js 3):');
  for (const line of simulated.trimEnd().split('\n')) console.log(`  ${line}`);

  // 5. Real footage, judged frame by frame, then as a live camera, busy and quiet.
  console.error('bench: real footage (vtest.avi), frame after frame on one core');
  const { shard, camera } = plazaCamera();
  const footage = await runFootage(regionSettings(camera.analysis));
  console.log(
    `\nreal footage, vtest.avi with the plaza layout, default settings (inputPixels ${String(camera.analysis.inputPixels)}):`,
  );
  printFootage(footage, '  ');
  const quietClip = join(work, 'quiet.mp4');
  // The plaza with nobody in it: the clip's median over 16 s, with a camera's sensor noise.
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    vtestPath(),
    '-vf',
    'tmedian=radius=80,select=eq(n\\,200)',
    '-frames:v',
    '1',
    join(work, 'empty.png'),
  ]);
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-loop',
    '1',
    '-i',
    join(work, 'empty.png'),
    '-t',
    '30',
    '-r',
    '10',
    '-vf',
    'noise=alls=3:allf=t',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    quietClip,
  ]);
  for (const [name, path] of [
    ['busy: vtest.avi as a live camera', vtestPath()],
    ['quiet: the empty plaza as a live camera', quietClip],
  ]) {
    const liveConfig = join(work, 'live.json');
    writeFileSync(
      liveConfig,
      JSON.stringify({
        ...shard,
        cameras: [{ ...camera, stream: { ...camera.stream, url: pathToFileURL(path).href } }],
      }),
    );
    const live = await startDetector({
      configPath: liveConfig,
      sink: { deliver: () => Promise.resolve() },
      dataDir: join(work, `live-${String(Date.now())}`),
      secretsDir: join(work, 'secrets'),
      port: 0,
      log: silentLogger,
    });
    const count = () => live.status().cameras[0]?.framesAnalysed ?? 0;
    while (count() < 10) await new Promise((r) => setTimeout(r, 200));
    const n0 = count();
    const c0 = process.cpuUsage();
    const f0 = ffmpegCpu();
    const t0 = performance.now();
    console.error(`bench: ${name}, ${String(seconds)} s`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const wall = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0);
    const nodeCores = (used.user + used.system) / 1e6 / wall;
    const ffCores = (ffmpegCpu() - f0) / wall;
    const analysedFps = (count() - n0) / wall;
    await live.stop();
    console.log(
      `  ${name}: ${analysedFps.toFixed(2)} analysed fps of ${String(camera.analysis.fps)}, ${(nodeCores + ffCores).toFixed(3)} cores (detector ${nodeCores.toFixed(3)}, ffmpeg ${ffCores.toFixed(3)})`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
