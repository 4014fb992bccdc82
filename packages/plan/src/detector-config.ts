/**
 * The check of a {@link DetectorConfig} read back from JSON: the detector runs it on the file the
 * operator (or the local supervisor) wrote, before taking a config at start or on reload.
 */

import type { DetectorConfig } from './plan.js';

/** A value that is a usable detector config, or why it is not, in one line. */
export type DetectorConfigCheck =
  | { readonly ok: true; readonly config: DetectorConfig }
  | { readonly ok: false; readonly message: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const invalid = (message: string): DetectorConfigCheck => ({ ok: false, message });

/**
 * Checks the shape of a parsed detector config. `planClient` writes it from a verified
 * Client, so this guards against a hand-edited or truncated file, not against every semantic
 * mistake; the first problem found is reported.
 */
export function parseDetectorConfig(value: unknown): DetectorConfigCheck {
  if (!isObject(value)) return invalid('the config must be a JSON object');
  if (value.apiVersion !== 'vigie.dev/v1alpha1' || value.kind !== 'DetectorConfig') {
    return invalid('apiVersion must be vigie.dev/v1alpha1 and kind DetectorConfig');
  }
  for (const key of ['client', 'shard', 'timezone'] as const) {
    if (typeof value[key] !== 'string' || value[key] === '')
      return invalid(`"${key}" must be a string`);
  }
  for (const key of ['detection', 'alerts', 'privacy', 'schedule'] as const) {
    if (!isObject(value[key])) return invalid(`"${key}" must be an object`);
  }
  if (!Array.isArray(value.cameras)) return invalid('"cameras" must be an array');
  const ids = new Set<string>();
  for (const [i, camera] of (value.cameras as unknown[]).entries()) {
    const problem = cameraProblem(camera, `cameras[${String(i)}]`, ids);
    if (problem !== undefined) return invalid(problem);
  }
  return { ok: true, config: value as unknown as DetectorConfig };
}

/** What is wrong with one camera of the config, if anything; records its ID in `ids`. */
function cameraProblem(camera: unknown, where: string, ids: Set<string>): string | undefined {
  if (!isObject(camera) || typeof camera.id !== 'string' || camera.id === '') {
    return `${where} needs an "id"`;
  }
  if (ids.has(camera.id)) return `${where}: camera "${camera.id}" appears twice`;
  ids.add(camera.id);
  if (!isObject(camera.stream) || typeof camera.stream.url !== 'string') {
    return `${where}.stream.url must be a string`;
  }
  if (!URL.canParse(camera.stream.url)) return `${where}.stream.url is not a URL`;
  const analysis = camera.analysis;
  if (
    !isObject(analysis) ||
    typeof analysis.fps !== 'number' ||
    !(analysis.fps > 0 && analysis.fps <= 30)
  ) {
    return `${where}.analysis.fps must be a number in (0, 30]`;
  }
  if (!Array.isArray(camera.zones)) return `${where}.zones must be an array`;
  if (!isObject(camera.model)) return `${where}.model must be an object`;
  return undefined;
}
