/**
 * Custom models: a client's ONNX pose model (for example a YOLO pose export), fetched once from
 * its URI, checked against its SHA-256, cached on local disk by digest, and run on
 * onnxruntime-node's CPU execution provider. Every failure has a stable code, which the camera
 * reports in its status instead of crash-looping.
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { errorMessage, VigieError } from '@vigie/log';
import type { ModelPlan } from '@vigie/plan';
import { YOLO_POSE_CALIBRATION } from '@vigie/vision';
import type { PoseModel } from './model.js';
import { cropFrame, letterbox, offsetPersons } from './model.js';
import { YOLO_POSE_ROWS, yoloPosePersons } from './yolo-pose.js';

/** Why a custom model cannot be used: a model code of the registry. */
export type ModelErrorCode =
  | 'VIGIE_E_MODEL_UNREACHABLE'
  | 'VIGIE_E_MODEL_SHA256_MISMATCH'
  | 'VIGIE_E_MODEL_INVALID'
  | 'VIGIE_E_MODEL_TOO_LARGE';

/** A custom model that cannot be used, with its stable code. */
export class ModelError extends VigieError<ModelErrorCode> {
  override readonly name = 'ModelError';
}

/** The largest model file accepted. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

type OnnxPlan = Extract<ModelPlan, { kind: 'onnx' }>;

/** Options of {@link fetchModel}. */
export interface FetchModelOptions {
  readonly cacheDir: string;
  /** Reads an access token for `gs://` URIs (the GKE metadata server's, by default). */
  readonly gcsToken?: () => Promise<string | undefined>;
  /** The storage endpoint for `gs://`; tests point it at an emulator. */
  readonly gcsEndpoint?: string;
  readonly timeoutMs?: number;
}

/** Workload Identity's token for the detector's service account, when running on GKE. */
export async function metadataToken(): Promise<string | undefined> {
  try {
    const response = await fetch(
      'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token',
      { headers: { 'metadata-flavor': 'Google' }, signal: AbortSignal.timeout(2000) },
    );
    if (!response.ok) return undefined;
    return ((await response.json()) as { access_token?: string }).access_token;
  } catch {
    return undefined;
  }
}

function downloadUrl(uri: string, gcsEndpoint: string): URL {
  const url = new URL(uri);
  if (url.protocol === 'gs:') {
    const object = url.pathname.replace(/^\//, '');
    return new URL(
      `/storage/v1/b/${encodeURIComponent(url.hostname)}/o/${encodeURIComponent(object)}?alt=media`,
      gcsEndpoint,
    );
  }
  return url;
}

/**
 * The path of a model in the cache, fetching it first when needed. A cached file is named by
 * its digest and checked again when read, so a damaged cache is refetched, never trusted.
 */
export async function fetchModel(plan: OnnxPlan, options: FetchModelOptions): Promise<string> {
  const expected = plan.sha256.toLowerCase();
  const path = join(options.cacheDir, `${expected}.onnx`);
  const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  try {
    if (digest(await readFile(path)) === expected) return path;
  } catch {
    // Not cached yet.
  }
  const url = downloadUrl(plan.uri, options.gcsEndpoint ?? 'https://storage.googleapis.com');
  const headers: Record<string, string> = {};
  if (plan.uri.startsWith('gs:')) {
    const token = await (options.gcsToken ?? metadataToken)();
    if (token) headers.authorization = `Bearer ${token}`;
  }
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new ModelError(
        'VIGIE_E_MODEL_UNREACHABLE',
        `model "${plan.id}": ${plan.uri} answered ${String(response.status)}`,
      );
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_MODEL_BYTES) {
      await response.body?.cancel();
      throw new ModelError('VIGIE_E_MODEL_TOO_LARGE', `model "${plan.id}" is larger than 512 MiB`);
    }
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(
      'VIGIE_E_MODEL_UNREACHABLE',
      `model "${plan.id}": cannot fetch ${plan.uri}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const actual = digest(bytes);
  if (actual !== expected) {
    throw new ModelError(
      'VIGIE_E_MODEL_SHA256_MISMATCH',
      `model "${plan.id}": ${plan.uri} has SHA-256 ${actual}, the config expects ${expected}`,
    );
  }
  await mkdir(options.cacheDir, { recursive: true });
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
  return path;
}

/** Loads an ONNX pose model from a file. */
export async function createOnnxPoseModel(
  plan: OnnxPlan,
  path: string,
  options: { readonly threads?: number; readonly minScore?: number } = {},
): Promise<PoseModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw new ModelError(
      'VIGIE_E_MODEL_INVALID',
      `model "${plan.id}" is not a usable ONNX model: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (inputName === undefined || outputName === undefined) {
    throw new ModelError('VIGIE_E_MODEL_INVALID', `model "${plan.id}" has no input or no output`);
  }
  const size = plan.inputSize;
  const minScore = options.minScore ?? YOLO_POSE_CALIBRATION.minScore;
  const detect: PoseModel['detect'] = async (frame, region) => {
    if (region) {
      const [dx, dy] = [Math.floor(region.box[0]), Math.floor(region.box[1])];
      return offsetPersons(await detect(cropFrame(frame, region.box)), dx, dy);
    }
    const box = letterbox(frame.width, frame.height, size);
    // Letterboxed with YOLO's grey, then planar RGB scaled to [0, 1].
    const rgb = await sharp(frame.data, {
      raw: { width: frame.width, height: frame.height, channels: 3 },
    })
      .resize(size, size, { fit: 'contain', background: { r: 114, g: 114, b: 114 } })
      .removeAlpha()
      .raw()
      .toBuffer();
    const planes = new Float32Array(3 * size * size);
    for (let i = 0, n = size * size; i < n; i++) {
      planes[i] = (rgb[i * 3] ?? 0) / 255;
      planes[n + i] = (rgb[i * 3 + 1] ?? 0) / 255;
      planes[2 * n + i] = (rgb[i * 3 + 2] ?? 0) / 255;
    }
    const input = new ort.Tensor('float32', planes, [1, 3, size, size]);
    const results = await session.run({ [inputName]: input });
    const output = results[outputName];
    const dims = output?.dims ?? [];
    if (!output || dims.length !== 3 || dims[1] !== YOLO_POSE_ROWS) {
      throw new ModelError(
        'VIGIE_E_MODEL_INVALID',
        `model "${plan.id}" gives an output of shape [${dims.join(', ')}], not [1, 56, N] (yolo-pose)`,
      );
    }
    return yoloPosePersons(output.data as Float32Array, dims[2] ?? 0, box, {
      minScore,
      maxIou: 0.5,
    });
  };
  return {
    name: `onnx:${plan.id}@${String(size)}`,
    trackerScores: YOLO_POSE_CALIBRATION.tracker,
    detect,
    dispose() {
      void session.release();
    },
  };
}
