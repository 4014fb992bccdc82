/**
 * What detectors post: alerts with their snapshot, and clips that follow them. Checked here,
 * purely, before anything touches storage; a bad envelope is an {@link InputError} with a code.
 */

import { InputError } from './errors.js';
import type { IncomingAlert } from './storage/alerts.js';

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Largest snapshot accepted, decoded. */
export const MAX_SNAPSHOT_BYTES = 10 * 1024 * 1024;
/** Largest clip accepted, decoded. */
export const MAX_CLIP_BYTES = 50 * 1024 * 1024;

/** A checked envelope. */
export type Envelope =
  | {
      readonly type: 'alert';
      readonly alert: IncomingAlert;
      readonly snapshot?: { readonly contentType: string; readonly data: Uint8Array };
    }
  | {
      readonly type: 'clip';
      readonly alertId: string;
      readonly contentType: string;
      readonly data: Uint8Array;
    };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(message: string): never {
  throw new InputError('VIGIE_E_INGEST_INVALID', message);
}

function text(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '' || value.length > 256) {
    bad(`${where}.${key} must be a non-empty string`);
  }
  return value;
}

function media(value: unknown, where: string, types: readonly string[], max: number) {
  if (!isObject(value)) bad(`${where} must be an object`);
  const contentType = value.contentType;
  if (typeof contentType !== 'string' || !types.includes(contentType)) {
    bad(`${where}.contentType must be ${types.join(' or ')}`);
  }
  const data = value.data;
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
    bad(`${where}.data must be base64`);
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length === 0 || bytes.length > max) {
    bad(`${where} must hold 1 byte to ${String(max / 1024 / 1024)} MiB`);
  }
  return { contentType, data: new Uint8Array(bytes) };
}

/** Checks a posted body; throws an {@link InputError} naming the first problem. */
export function parseEnvelope(body: unknown): Envelope {
  if (!isObject(body)) bad('the body must be a JSON object');
  if (body.type === 'alert') {
    const alert = body.alert;
    if (!isObject(alert)) bad('alert must be an object');
    const id = text(alert, 'id', 'alert');
    if (!ID.test(id)) bad('alert.id must be 1 to 128 letters, digits, - or _');
    const client = text(alert, 'client', 'alert');
    if (!NAME.test(client)) bad('alert.client must be a client ID');
    const detectedAt = text(alert, 'detectedAt', 'alert');
    if (Number.isNaN(Date.parse(detectedAt))) bad('alert.detectedAt must be an ISO 8601 time');
    const parsed: IncomingAlert = {
      id,
      client,
      camera: text(alert, 'camera', 'alert'),
      rule: text(alert, 'rule', 'alert'),
      detectedAt: new Date(detectedAt).toISOString(),
      body: alert,
    };
    return body.snapshot === undefined
      ? { type: 'alert', alert: parsed }
      : {
          type: 'alert',
          alert: parsed,
          snapshot: media(body.snapshot, 'snapshot', ['image/jpeg'], MAX_SNAPSHOT_BYTES),
        };
  }
  if (body.type === 'clip') {
    const alertId = text(body, 'alertId', 'clip');
    if (!ID.test(alertId)) bad('clip.alertId must be 1 to 128 letters, digits, - or _');
    const { contentType, data } = media(body, 'clip', ['video/mp4'], MAX_CLIP_BYTES);
    return { type: 'clip', alertId, contentType, data };
  }
  return bad('type must be "alert" or "clip"');
}
