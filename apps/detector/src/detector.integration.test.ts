import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { checkIngestEnvelope, parseClientConfig, type EnvelopeCheck } from '@vigie/config';
import type { DetectorConfig } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import { renderScenario } from '@vigie/simulator';
import { formatPoseLine } from '@vigie/vision';
import type { Alert } from '@vigie/vision';
import { createJsonLogger, silentLogger } from '@vigie/log';
import { repoRoot } from '@vigie/testenv';
import type { Detector } from './detector.js';
import { startDetector } from './detector.js';

const require = createRequire(import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'vigie-detector-'));
const log = process.env.VIGIE_TEST_LOG
  ? createJsonLogger((l) => process.stderr.write(l), 'DEBUG')
  : silentLogger;
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The demo store's shard config, with its camera's stream pointed elsewhere. */
function demoConfig(
  url: string,
  edit: (config: DetectorConfig) => DetectorConfig = (c) => c,
): DetectorConfig {
  const xml = readFileSync(join(repoRoot(), 'examples/demo-store.xml'));
  const parsed = parseClientConfig(xml);
  assert.ok(parsed.ok);
  const config = planClient(parsed.config.id, parsed.config).shards[0]?.config;
  assert.ok(config);
  return edit({
    ...config,
    cameras: config.cameras.map((c) => ({ ...c, stream: { ...c.stream, url } })),
  });
}

interface Received {
  readonly alerts: Map<
    string,
    { alert: Alert & { cameraName: string }; snapshot: Buffer; check: EnvelopeCheck }
  >;
  readonly clips: Map<string, Buffer>;
  readonly tokens: Set<string>;
}

/** A console stand-in with the ingest contract: POST alerts, PUT clips, one copy per ID. */
async function fakeConsole(): Promise<{ url: string; received: Received; server: Server }> {
  const received: Received = { alerts: new Map(), clips: new Map(), tokens: new Set() };
  const body = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer((req, res) => {
    received.tokens.add(String(req.headers.authorization));
    void body(req).then((bytes) => {
      const clip = /^\/api\/v1\/ingest\/alerts\/([A-Za-z0-9_-]+)\/clip$/.exec(req.url ?? '');
      if (req.method === 'PUT' && clip?.[1] && req.headers['content-type'] === 'video/mp4') {
        received.clips.set(clip[1], bytes);
        res.writeHead(201).end();
        return;
      }
      const posted: unknown = JSON.parse(bytes.toString());
      const envelope = posted as {
        type: string;
        alert?: Alert & { cameraName: string };
        alertId?: string;
        snapshot?: { data: string };
        data?: string;
      };
      if (req.url === '/api/v1/ingest/alerts' && envelope.type === 'alert' && envelope.alert) {
        received.alerts.set(envelope.alert.id, {
          alert: envelope.alert,
          snapshot: Buffer.from(envelope.snapshot?.data ?? '', 'base64'),
          check: checkIngestEnvelope(posted),
        });
      }
      res.writeHead(201).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    received,
    server,
  };
}

async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function get(port: number, path: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${String(port)}${path}`)).text();
}

describe('detector with a pose-recording camera', () => {
  let detector: Detector;
  let console_: Awaited<ReturnType<typeof fakeConsole>>;
  const configPath = join(work, 'pose', 'config.json');
  let recording: string;

  before(async () => {
    console_ = await fakeConsole();
    mkdirSync(join(work, 'pose'), { recursive: true });
    recording = join(work, 'pose', 'concealment.poses.jsonl');
    writeFileSync(
      recording,
      renderScenario('concealment', { seed: 1 }).frames.map(formatPoseLine).join('\n'),
    );
    writeFileSync(configPath, JSON.stringify(demoConfig(pathToFileURL(recording).href)));
    const token = join(work, 'pose', 'token');
    writeFileSync(token, 'ingest-token-for-tests\n');
    // Evidence from 40 days ago, past the demo store's 30-day retention.
    const evidence = join(work, 'pose', 'data', 'evidence');
    mkdirSync(evidence, { recursive: true });
    writeFileSync(join(evidence, 'old-alert.jpg'), 'old');
    writeFileSync(join(evidence, 'recent-alert.jpg'), 'recent');
    const old = new Date(Date.now() - 40 * 86_400_000);
    utimesSync(join(evidence, 'old-alert.jpg'), old, old);
    detector = await startDetector({
      configPath,
      consoleUrl: console_.url,
      tokenFile: token,
      dataDir: join(work, 'pose', 'data'),
      secretsDir: join(work, 'pose', 'secrets'),
      port: 0,
      log,
      configPollMs: 500,
    });
  });
  after(async () => {
    await detector.stop();
    console_.server.close();
  });

  it('delivers an explained alert with a snapshot and a clip to the console, with the ingest token', async () => {
    const [id, entry] = await eventually(
      'an alert',
      () => [...console_.received.alerts.entries()][0],
    );
    assert.deepEqual(
      entry.check.ok ? 'within the envelope' : entry.check.problem,
      'within the envelope',
      "the console's own check passes",
    );
    assert.equal(entry.alert.rule, 'concealment');
    assert.equal(entry.alert.cameraName, 'Cosmetics aisle');
    assert.match(entry.alert.explanation, /reached into Cosmetics shelf/);
    const meta = await sharp(entry.snapshot).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 1280);
    const clip = await eventually('its clip', () => console_.received.clips.get(id));
    assert.equal(clip.subarray(4, 8).toString(), 'ftyp', 'an MP4 file');
    assert.deepEqual([...console_.received.tokens], ['Bearer ingest-token-for-tests']);
    const metrics = await get(detector.port, '/metrics');
    assert.match(metrics, /vigie_detector_alerts_total\{camera="aisle",rule="concealment"\} 1/);
    assert.match(metrics, /vigie_detector_frames_analysed_total\{camera="aisle"\} [1-9]/);
    assert.match(metrics, /vigie_detector_alert_latency_seconds_count 1/);
    assert.match(metrics, /vigie_detector_camera_up\{camera="aisle"\} 1/);
  });

  it('deletes local evidence older than the retention period, and keeps the rest', async () => {
    const evidence = join(work, 'pose', 'data', 'evidence');
    await eventually('the sweep', () => !existsSync(join(evidence, 'old-alert.jpg')) || undefined);
    assert.ok(existsSync(join(evidence, 'recent-alert.jpg')));
  });

  it('takes a zone change live, without restarting the camera', async () => {
    const before_ = detector.status().cameras[0];
    assert.ok(before_);
    const changed = demoConfig(pathToFileURL(recording).href, (c) => ({
      ...c,
      cameras: c.cameras.map((cam) => ({
        ...cam,
        zones: cam.zones.filter((z) => z.id !== 'stockroom'),
      })),
    }));
    const started = Date.now();
    writeFileSync(configPath, JSON.stringify(changed));
    await eventually('the reload', async () =>
      /config_reloads_total\{result="applied"\} 1/.test(await get(detector.port, '/metrics')),
    );
    assert.ok(Date.now() - started < 1000, `took effect in ${String(Date.now() - started)} ms`);
    const after_ = detector.status().cameras[0];
    assert.ok(after_);
    assert.ok(
      after_.framesAnalysed >= before_.framesAnalysed,
      'the camera kept its counters: not restarted',
    );
  });

  it('keeps the last good config running when the new one is broken', async () => {
    const frames = detector.status().cameras[0]?.framesAnalysed ?? 0;
    writeFileSync(configPath, '{"apiVersion": "vigie.dev/v1alpha1", "kind": "DetectorConfig"');
    const status = await eventually('the refusal', () => detector.status().configProblem);
    assert.equal(status.code, 'VIGIE_E_DETECTOR_CONFIG');
    assert.match(status.message, /not JSON/);
    await eventually(
      'frames still analysed',
      () => (detector.status().cameras[0]?.framesAnalysed ?? 0) > frames + 3,
    );
  });

  it('restarts only a camera whose stream changed', async () => {
    const moved = join(work, 'pose', 'browsing.poses.jsonl');
    writeFileSync(
      moved,
      renderScenario('browsing', { seed: 1 }).frames.map(formatPoseLine).join('\n'),
    );
    writeFileSync(configPath, JSON.stringify(demoConfig(pathToFileURL(moved).href)));
    await eventually(
      'the restart',
      () => (detector.status().cameras[0]?.framesAnalysed ?? 99) < 5 || undefined,
    );
    assert.equal(detector.status().configProblem, undefined);
  });
});

describe('detector with a custom model that does not match its digest', () => {
  it('reports the camera with the model error and keeps the other cameras running', async () => {
    const modelServer = createServer((_req, res) => {
      res.writeHead(200).end('these bytes are not the model the config names');
    });
    modelServer.listen(0, '127.0.0.1');
    await once(modelServer, 'listening');
    const recording = join(work, 'custom-aisle.poses.jsonl');
    writeFileSync(
      recording,
      renderScenario('browsing', { seed: 2 }).frames.map(formatPoseLine).join('\n'),
    );
    const base = demoConfig(pathToFileURL(recording).href);
    const aisle = base.cameras[0];
    assert.ok(aisle);
    const config: DetectorConfig = {
      ...base,
      cameras: [
        aisle,
        {
          ...aisle,
          id: 'back',
          name: 'Back door',
          stream: { url: 'rtsp://127.0.0.1:9/none', transport: 'tcp' },
          model: {
            kind: 'onnx',
            id: 'shop-pose',
            uri: `http://127.0.0.1:${String((modelServer.address() as AddressInfo).port)}/pose.onnx`,
            sha256: 'ab'.repeat(32),
            format: 'yolo-pose',
            inputSize: 640,
          },
        },
      ],
    };
    const configPath = join(work, 'custom-config.json');
    writeFileSync(configPath, JSON.stringify(config));
    const console_ = await fakeConsole();
    const detector = await startDetector({
      configPath,
      sink: { deliver: () => Promise.resolve() },
      dataDir: join(work, 'custom-data'),
      secretsDir: join(work, 'custom-secrets'),
      port: 0,
      log,
    });
    try {
      const back = detector.status().cameras.find((c) => c.id === 'back');
      assert.equal(back?.error?.code, 'VIGIE_E_MODEL_SHA256_MISMATCH');
      assert.match(back.error.message, /has SHA-256 [0-9a-f]{64}, the config expects abab/);
      assert.match(
        await get(detector.port, '/metrics'),
        /vigie_detector_camera_error\{camera="back",code="VIGIE_E_MODEL_SHA256_MISMATCH"\} 1/,
      );
      await eventually(
        'the other camera analysing',
        () =>
          (detector.status().cameras.find((c) => c.id === 'aisle')?.framesAnalysed ?? 0) > 2 ||
          undefined,
      );
      assert.equal((await fetch(`http://127.0.0.1:${String(detector.port)}/readyz`)).status, 200);
    } finally {
      await detector.stop();
      console_.server.close();
      modelServer.close();
    }
  });
});

describe('detector on a real RTSP stream', () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  let rtsp: ChildProcess | undefined;
  let clip: string;
  const server = fileURLToPath(new URL('../testing/rtsp-server.py', import.meta.url));

  async function startRtsp(): Promise<void> {
    const child = spawn('/usr/bin/python3', [server, String(port), '/store', clip], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    rtsp = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => {
        resolve();
      });
      child.once('exit', (code) => {
        reject(new Error(`the RTSP server exited with ${String(code)}`));
      });
    });
  }

  before(async () => {
    // A 90-second clip of a photograph of three people, encoded as H.264 by ffmpeg.
    const photo = join(
      dirname(require.resolve('@vladmandic/face-api/package.json')),
      'demo/sample1.jpg',
    );
    clip = join(work, 'people.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-loop',
      '1',
      '-i',
      photo,
      '-t',
      '90',
      '-r',
      '10',
      '-vf',
      'scale=960:-2',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '10',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
    await startRtsp();
  });
  after(() => {
    rtsp?.kill('SIGKILL');
  });

  it('decodes the stream, finds the people, and reconnects when the stream drops and comes back', async () => {
    const configPath = join(work, 'rtsp-config.json');
    writeFileSync(configPath, JSON.stringify(demoConfig(`rtsp://127.0.0.1:${String(port)}/store`)));
    const console_ = await fakeConsole();
    const token = join(work, 'rtsp-token');
    writeFileSync(token, 'token');
    const detector = await startDetector({
      configPath,
      consoleUrl: console_.url,
      tokenFile: token,
      dataDir: join(work, 'rtsp-data'),
      secretsDir: join(work, 'rtsp-secrets'),
      port: 0,
      log,
    });
    try {
      await eventually(
        'frames analysed',
        () => (detector.status().cameras[0]?.framesAnalysed ?? 0) >= 5 || undefined,
        60_000,
      );
      assert.equal(detector.status().cameras[0]?.activeTracks, 3, 'three people tracked');
      assert.match(
        await get(detector.port, '/metrics'),
        /vigie_detector_stage_seconds_count\{stage="inference"\} [1-9]/,
      );

      rtsp?.kill('SIGKILL');
      const down = await eventually(
        'the camera going down',
        () => {
          const camera = detector.status().cameras[0];
          return camera && !camera.up ? camera : undefined;
        },
        60_000,
      );
      assert.ok(down.error, 'a reason is given');
      assert.match(down.error.code, /^VIGIE_E_STREAM_/);
      const frames = down.framesAnalysed;

      await startRtsp();
      await eventually(
        'the camera coming back',
        () => {
          const camera = detector.status().cameras[0];
          return camera?.up && camera.framesAnalysed > frames + 3 ? camera : undefined;
        },
        90_000,
      );
      assert.ok((detector.status().cameras[0]?.reconnects ?? 0) >= 1);
      assert.equal(detector.status().cameras[0]?.error, undefined);
    } finally {
      await detector.stop();
      console_.server.close();
    }
  });
});
