import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { silentLogger } from '@vigie/log';
import type { CameraPlan } from '@vigie/plan';
import { MOVENET_CALIBRATION } from '@vigie/vision';
import type { CameraAnalysis } from './camera-analysis.js';
import { createCameraHealth } from './camera-health.js';
import type { VideoOptions } from './camera-source.js';
import { replayRecording, streamVideo } from './camera-source.js';
import type { CameraStream } from './ingest.js';
import { createDetectorMetrics } from './metrics.js';
import { demoCamera } from './testing/demo-config.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-camera-source-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** An analysis that counts the frames it is given. */
function countingAnalysis(camera: CameraPlan): CameraAnalysis & { frames: () => number } {
  let frames = 0;
  return {
    camera: () => camera,
    activeTracks: () => 0,
    reconfigure: () => undefined,
    useTracker: () => undefined,
    decoded: () => true,
    analysePoses: () => {
      frames++;
      return Promise.resolve();
    },
    analyseVideoFrame: () => {
      frames++;
      return Promise.resolve();
    },
    settled: () => Promise.resolve(),
    frames: () => frames,
  };
}

/** A video source's options for `camera`, with its health and what it opened. */
function video(camera: CameraPlan, changes: Partial<VideoOptions> = {}) {
  const metrics = createDetectorMetrics();
  const health = createCameraHealth({ camera: camera.id, metrics, log: silentLogger });
  const controller = new AbortController();
  const opened: CameraStream[] = [];
  const options: VideoOptions = {
    camera,
    analysis: countingAnalysis(camera),
    health,
    signal: controller.signal,
    model: {
      name: 'nobody',
      trackerScores: MOVENET_CALIBRATION.tracker,
      detect: () => Promise.resolve([]),
      dispose: () => undefined,
    },
    secretsDir: join(work, 'secrets'),
    metrics,
    log: silentLogger,
    onOpen: (stream) => opened.push(stream),
    ...changes,
  };
  const error = () => health.status(camera, 0).error;
  return { options, health, controller, opened, error };
}

async function eventually<T>(what: string, check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('camera sources', () => {
  it('reports a pose recording that cannot be read as not found', async () => {
    const camera = demoCamera({
      stream: { url: pathToFileURL(join(work, 'missing.poses.jsonl')).href, transport: 'tcp' },
    });
    const { options, error } = video(camera);
    await replayRecording(options);
    assert.equal(error()?.code, 'VIGIE_E_STREAM_NOT_FOUND');
  });

  it("reports the model's failure, and opens no stream", async () => {
    const { options, opened, error } = video(demoCamera(), {
      model: { code: 'VIGIE_E_MODEL_SHA256_MISMATCH', message: 'the file has another digest' },
    });
    await streamVideo(options);
    assert.deepEqual(error(), {
      code: 'VIGIE_E_MODEL_SHA256_MISMATCH',
      message: 'the file has another digest',
    });
    assert.equal(opened.length, 0);
  });

  it('reports a camera Secret that is not mounted, retries, and stops when the camera does', async () => {
    const camera = demoCamera({
      stream: { url: 'rtsp://127.0.0.1:9/live', transport: 'tcp', credentialsSecret: 'door-cam' },
    });
    const { options, controller, opened, error, health } = video(camera);
    const running = streamVideo(options);
    await eventually('the error', error);
    assert.equal(error()?.code, 'VIGIE_E_CAMERA_SECRET');
    assert.equal(health.status(camera, 0).reconnects, 1);
    controller.abort();
    await running;
    assert.equal(opened.length, 0);
  });

  it("opens the stream with the Secret's credentials, and never shows them in its status", async () => {
    const secret = join(work, 'secrets', 'till-cam');
    mkdirSync(secret, { recursive: true });
    writeFileSync(join(secret, 'username'), 'operator\n');
    writeFileSync(join(secret, 'password'), 's3cret-word\n');
    // Nothing listens on the discard port: the stream is refused.
    const camera = demoCamera({
      stream: { url: 'rtsp://127.0.0.1:9/live', transport: 'tcp', credentialsSecret: 'till-cam' },
    });
    const { options, opened, error } = video(camera);
    await streamVideo(options);
    try {
      const down = await eventually('the stream down', error);
      assert.equal(down.code, 'VIGIE_E_STREAM_UNREACHABLE');
      assert.doesNotMatch(down.message, /operator|s3cret/);
    } finally {
      await Promise.all(opened.map((s) => s.close()));
    }
    assert.equal(opened.length, 1);
  });
});
