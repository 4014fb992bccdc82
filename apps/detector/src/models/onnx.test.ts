import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { constantPoseModel } from '../testing/onnx-model.js';
import { letterbox } from './model.js';
import { createOnnxPoseModel, fetchModel, ModelError } from './onnx.js';
import { yoloPosePersons } from './yolo-pose.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-onnx-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A YOLO pose output with persons at the given input-pixel boxes and scores. */
function output(
  candidates: readonly { box: [number, number, number, number]; score: number }[],
): Float32Array {
  const n = candidates.length;
  const values = new Float32Array(56 * n);
  candidates.forEach(({ box: [x1, y1, x2, y2], score }, i) => {
    values[0 * n + i] = (x1 + x2) / 2;
    values[1 * n + i] = (y1 + y2) / 2;
    values[2 * n + i] = x2 - x1;
    values[3 * n + i] = y2 - y1;
    values[4 * n + i] = score;
    for (let k = 0; k < 17; k++) {
      values[(5 + k * 3) * n + i] = x1 + ((x2 - x1) * k) / 16;
      values[(6 + k * 3) * n + i] = y1 + ((y2 - y1) * k) / 16;
      values[(7 + k * 3) * n + i] = 0.9;
    }
  });
  return values;
}

describe('YOLO pose output', () => {
  it('keeps confident, distinct persons and maps them back to frame pixels', () => {
    const box = letterbox(1280, 720, 640); // scale 0.5, 140 px of padding top and bottom
    const persons = yoloPosePersons(
      output([
        { box: [100, 200, 200, 400], score: 0.9 },
        { box: [102, 202, 202, 402], score: 0.8 }, // the same person again: suppressed
        { box: [400, 200, 500, 400], score: 0.7 },
        { box: [300, 300, 340, 380], score: 0.1 }, // too weak
      ]),
      4,
      box,
      { minScore: 0.25, maxIou: 0.5 },
    );
    assert.deepEqual(
      persons.map((p) => [p.score.toFixed(1), p.box.map(Math.round)]),
      [
        ['0.9', [200, 120, 400, 520]],
        ['0.7', [800, 120, 1000, 520]],
      ],
    );
    assert.deepEqual(persons[0]?.keypoints[0]?.map(Math.round), [200, 120, 1]);
  });

  it('refuses an output of the wrong shape', () => {
    assert.throws(
      () =>
        yoloPosePersons(new Float32Array(10), 1, letterbox(10, 10, 32), {
          minScore: 0.5,
          maxIou: 0.5,
        }),
      /56 × N/,
    );
  });
});

describe('custom ONNX models', () => {
  const model = constantPoseModel(64, output([{ box: [16, 8, 48, 56], score: 0.95 }]));
  const sha256 = createHash('sha256').update(model).digest('hex');
  let base = '';
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    if (req.url === '/models/pose.onnx') res.writeHead(200).end(model);
    else res.writeHead(404).end();
  });
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(() => {
    server.close();
  });
  const plan = (uri: string, digest = sha256) =>
    ({
      kind: 'onnx',
      id: 'shop-pose',
      uri,
      sha256: digest,
      format: 'yolo-pose',
      inputSize: 64,
    }) as const;

  it('is fetched once, checked, cached by digest, and runs on onnxruntime', async () => {
    const cacheDir = join(work, 'cache');
    const path = await fetchModel(plan(`${base}/models/pose.onnx`), { cacheDir });
    assert.deepEqual(readdirSync(cacheDir), [`${sha256}.onnx`]);
    await fetchModel(plan(`${base}/models/pose.onnx`), { cacheDir });
    assert.equal(requests, 1, 'the second start uses the cache');
    const pose = await createOnnxPoseModel(plan(`${base}/models/pose.onnx`), path);
    try {
      // A 128×128 frame: the 64×64 input is half its size, so the person comes back doubled.
      const persons = await pose.detect({
        data: new Uint8Array(128 * 128 * 3),
        width: 128,
        height: 128,
      });
      assert.deepEqual(
        persons.map((p) => p.box.map(Math.round)),
        [[32, 16, 96, 112]],
      );
    } finally {
      pose.dispose();
    }
  });

  it('refuses a file whose SHA-256 differs, and a URI that does not answer, with stable codes', async () => {
    const cacheDir = join(work, 'cache-bad');
    await assert.rejects(
      fetchModel(plan(`${base}/models/pose.onnx`, 'ab'.repeat(32)), { cacheDir }),
      (e: unknown) =>
        e instanceof ModelError &&
        e.code === 'VIGIE_E_MODEL_SHA256_MISMATCH' &&
        /the config expects abab/.test(e.message),
    );
    await assert.rejects(
      fetchModel(plan(`${base}/models/missing.onnx`), { cacheDir }),
      (e: unknown) =>
        e instanceof ModelError &&
        e.code === 'VIGIE_E_MODEL_UNREACHABLE' &&
        /answered 404/.test(e.message),
    );
    await assert.rejects(
      fetchModel(plan('https://127.0.0.1:1/pose.onnx'), { cacheDir, timeoutMs: 2000 }),
      (e: unknown) => e instanceof ModelError && e.code === 'VIGIE_E_MODEL_UNREACHABLE',
    );
    assert.deepEqual(readdirSync(work).includes('cache-bad') ? readdirSync(cacheDir) : [], []);
  });

  it('fetches gs:// URIs through the storage API with a token', async () => {
    let seen: { url?: string | undefined; auth?: string | undefined } = {};
    const gcs = createServer((req, res) => {
      seen = { url: req.url, auth: req.headers.authorization };
      res.writeHead(200).end(model);
    });
    gcs.listen(0, '127.0.0.1');
    await once(gcs, 'listening');
    try {
      await fetchModel(plan('gs://acme-models/pose/v3.onnx'), {
        cacheDir: join(work, 'cache-gcs'),
        gcsEndpoint: `http://127.0.0.1:${String((gcs.address() as AddressInfo).port)}`,
        gcsToken: () => Promise.resolve('workload-identity-token'),
      });
      assert.equal(seen.url, '/storage/v1/b/acme-models/o/pose%2Fv3.onnx?alt=media');
      assert.equal(seen.auth, 'Bearer workload-identity-token');
    } finally {
      gcs.close();
    }
  });

  it('refuses a file that is not an ONNX model', async () => {
    const path = join(work, 'garbage.onnx');
    (await import('node:fs')).writeFileSync(path, 'not a model');
    await assert.rejects(
      createOnnxPoseModel(plan('https://example.invalid/x.onnx'), path),
      (e: unknown) => e instanceof ModelError && e.code === 'VIGIE_E_MODEL_INVALID',
    );
  });
});
