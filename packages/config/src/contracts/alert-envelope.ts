/**
 * The alert envelope: what a detector posts to the console's ingest API, and the limits on
 * every field it carries. Defined once, here, beside the config that names clients, cameras and
 * zones: the detector fits its alerts within these limits before they enter its outbox
 * ({@link fitAlert}), and the console checks every post against them
 * ({@link checkIngestEnvelope}). A real alert therefore never meets a 400 or a 413, which the
 * outbox treats as final.
 *
 * The envelope is JSON: `{"type":"alert","alert":{…},"snapshot":{"contentType":"image/jpeg",
 * "data":"<base64>"}}`. Clips follow apart, as the raw bytes of an MP4 (see the console's ingest
 * routes), so that no clip is ever parsed as JSON.
 */

import type { Detection, Zone } from '../generated/types.js';

/** The limits on an alert's fields: lengths in characters, counts in items, sizes in bytes. */
export const ALERT_LIMITS = {
  /** The detector's alert ID: its idempotency key within its own client. */
  key: 128,
  /** Client, camera, zone and shard IDs (DNS labels). */
  name: 63,
  /** Camera and zone names, as the config allows them. */
  displayName: 200,
  /** A rule's name. */
  rule: 64,
  /** Rules that contributed to one alert. */
  rules: 16,
  /** The alert's explanation, for people. */
  explanation: 2000,
  /** Firings kept with one alert. */
  firings: 16,
  /** One firing's explanation. */
  firingExplanation: 1000,
  /** Evidence moments of one firing. */
  moments: 32,
  /** What one evidence moment says was seen. */
  what: 200,
  /** Times of the frames that show the evidence. */
  evidenceTimes: 256,
  /** The whole alert object, as UTF-8 JSON. */
  alertBytes: 64 * 1024,
  /** A snapshot, decoded. */
  snapshotBytes: 10 * 1024 * 1024,
  /** A clip. */
  clipBytes: 50 * 1024 * 1024,
} as const;

/** The detector's alert ID, and every ID in ingest URLs: letters, digits, `-` and `_`. */
export const ALERT_KEY_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// The config's own values: the compiler keeps these lists in step with the schema.
const SENSITIVITIES = [
  'low',
  'medium',
  'high',
] as const satisfies readonly Detection['sensitivity'][];
const ZONE_TYPES = [
  'shelf',
  'high-value',
  'checkout',
  'exit',
  'restricted',
] as const satisfies readonly Zone['type'][];

/** A zone an alert refers to. */
export interface AlertZone {
  readonly id: string;
  readonly name: string;
  readonly type: Zone['type'];
}

/** One rule firing that supports an alert. */
export interface AlertFiring {
  readonly rule: string;
  readonly trackId: number;
  readonly t: number;
  readonly strength: number;
  readonly zone?: AlertZone;
  readonly evidence: readonly { readonly t: number; readonly what: string }[];
  readonly explanation: string;
}

/**
 * An alert as a detector sends it. `id` is the detector's own ID for the incident, stable
 * across retries; the console keeps it as an idempotency key within the client and issues the
 * alert's public ID itself. Fields a newer detector adds are kept, within `alertBytes`.
 */
export interface EnvelopeAlert {
  readonly id: string;
  readonly client: string;
  readonly camera: string;
  readonly cameraName?: string;
  readonly shard?: string;
  readonly rule: string;
  readonly rules?: readonly string[];
  readonly trackId?: number;
  readonly t?: number;
  readonly score?: number;
  readonly threshold?: number;
  readonly sensitivity?: Detection['sensitivity'];
  readonly box?: readonly [number, number, number, number];
  readonly width?: number;
  readonly height?: number;
  readonly zone?: AlertZone;
  readonly firings?: readonly AlertFiring[];
  readonly evidenceTimes?: readonly number[];
  /** ISO 8601. */
  readonly detectedAt: string;
  readonly explanation?: string;
}

/** Base64 bytes with their media type. */
export interface EnvelopeMedia {
  readonly contentType: string;
  /** Base64. */
  readonly data: string;
}

/** A checked ingest envelope. */
export interface IngestEnvelope {
  readonly type: 'alert';
  readonly alert: EnvelopeAlert;
  readonly snapshot?: EnvelopeMedia;
}

/** Why an envelope was refused; the code is stable. */
export interface EnvelopeProblem {
  readonly code: 'VIGIE_E_INGEST_INVALID';
  readonly message: string;
}

/** The outcome of {@link checkIngestEnvelope}. */
export type EnvelopeCheck =
  | { readonly ok: true; readonly envelope: IngestEnvelope }
  | { readonly ok: false; readonly problem: EnvelopeProblem };

class Refusal extends Error {}

function refuse(message: string): never {
  throw new Refusal(message);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function text(
  record: Record<string, unknown>,
  key: string,
  where: string,
  max: number,
  required: boolean,
): string | undefined {
  const value = record[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > max) {
    refuse(`${where}.${key} must be a string of 1 to ${String(max)} characters`);
  }
  return value;
}

function number(record: Record<string, unknown>, key: string, where: string): void {
  const value = record[key];
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    refuse(`${where}.${key} must be a finite number`);
  }
}

function list(value: unknown, where: string, max: number): readonly unknown[] {
  if (!Array.isArray(value) || value.length > max) {
    refuse(`${where} must be a list of at most ${String(max)} items`);
  }
  return value;
}

function zone(value: unknown, where: string): void {
  if (value === undefined) return;
  if (!isRecord(value)) refuse(`${where} must be an object`);
  text(value, 'id', where, ALERT_LIMITS.name, true);
  text(value, 'name', where, ALERT_LIMITS.displayName, true);
  const type = value.type;
  if (typeof type !== 'string' || !(ZONE_TYPES as readonly string[]).includes(type)) {
    refuse(`${where}.type must be one of ${ZONE_TYPES.join(', ')}`);
  }
}

function firing(value: unknown, where: string): void {
  if (!isRecord(value)) refuse(`${where} must be an object`);
  text(value, 'rule', where, ALERT_LIMITS.rule, true);
  text(value, 'explanation', where, ALERT_LIMITS.firingExplanation, true);
  for (const key of ['trackId', 't', 'strength']) number(value, key, where);
  zone(value.zone, `${where}.zone`);
  list(value.evidence, `${where}.evidence`, ALERT_LIMITS.moments).forEach((moment, i) => {
    const at = `${where}.evidence[${String(i)}]`;
    if (!isRecord(moment)) refuse(`${at} must be an object`);
    number(moment, 't', at);
    text(moment, 'what', at, ALERT_LIMITS.what, true);
  });
}

function checkAlert(value: unknown): EnvelopeAlert {
  if (!isRecord(value)) refuse('alert must be an object');
  const id = text(value, 'id', 'alert', ALERT_LIMITS.key, true) ?? '';
  if (!ALERT_KEY_PATTERN.test(id)) refuse('alert.id must be 1 to 128 letters, digits, - or _');
  const client = text(value, 'client', 'alert', ALERT_LIMITS.name, true) ?? '';
  if (!NAME_PATTERN.test(client)) refuse('alert.client must be a client ID');
  text(value, 'camera', 'alert', ALERT_LIMITS.name, true);
  text(value, 'shard', 'alert', ALERT_LIMITS.name, false);
  text(value, 'cameraName', 'alert', ALERT_LIMITS.displayName, false);
  text(value, 'rule', 'alert', ALERT_LIMITS.rule, true);
  text(value, 'explanation', 'alert', ALERT_LIMITS.explanation, false);
  const detectedAt = text(value, 'detectedAt', 'alert', 64, true) ?? '';
  if (Number.isNaN(Date.parse(detectedAt))) refuse('alert.detectedAt must be an ISO 8601 time');
  for (const key of ['trackId', 't', 'score', 'threshold', 'width', 'height']) {
    number(value, key, 'alert');
  }
  const sensitivity = value.sensitivity;
  if (sensitivity !== undefined && !(SENSITIVITIES as readonly unknown[]).includes(sensitivity)) {
    refuse(`alert.sensitivity must be one of ${SENSITIVITIES.join(', ')}`);
  }
  if (value.rules !== undefined) {
    list(value.rules, 'alert.rules', ALERT_LIMITS.rules).forEach((_, i) => {
      text(
        value.rules as Record<string, unknown>,
        String(i),
        'alert.rules',
        ALERT_LIMITS.rule,
        true,
      );
    });
  }
  if (value.box !== undefined) {
    const box = list(value.box, 'alert.box', 4);
    if (box.length !== 4 || !box.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      refuse('alert.box must be four finite numbers [x1, y1, x2, y2]');
    }
  }
  zone(value.zone, 'alert.zone');
  if (value.firings !== undefined) {
    list(value.firings, 'alert.firings', ALERT_LIMITS.firings).forEach((f, i) => {
      firing(f, `alert.firings[${String(i)}]`);
    });
  }
  if (value.evidenceTimes !== undefined) {
    const times = list(value.evidenceTimes, 'alert.evidenceTimes', ALERT_LIMITS.evidenceTimes);
    if (!times.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      refuse('alert.evidenceTimes must hold finite numbers');
    }
  }
  const size = utf8Length(JSON.stringify(value));
  if (size > ALERT_LIMITS.alertBytes) {
    refuse(
      `alert takes ${String(size)} bytes of JSON, more than ${String(ALERT_LIMITS.alertBytes)}`,
    );
  }
  return value as unknown as EnvelopeAlert;
}

/** The decoded size of base64 text. */
export function base64Size(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

function media(value: unknown, where: string, type: string, max: number): EnvelopeMedia {
  if (!isRecord(value)) refuse(`${where} must be an object`);
  if (value.contentType !== type) refuse(`${where}.contentType must be ${type}`);
  const data = value.data;
  if (typeof data !== 'string' || data.length % 4 !== 0 || !BASE64.test(data)) {
    refuse(`${where}.data must be base64`);
  }
  const size = base64Size(data);
  if (size === 0 || size > max) {
    refuse(`${where} must hold 1 byte to ${String(max / 1024 / 1024)} MiB`);
  }
  return { contentType: type, data };
}

/** Checks a posted body against the envelope and its limits. */
export function checkIngestEnvelope(body: unknown): EnvelopeCheck {
  try {
    if (!isRecord(body)) refuse('the body must be a JSON object');
    if (body.type === 'alert') {
      const alert = checkAlert(body.alert);
      const envelope: IngestEnvelope =
        body.snapshot === undefined
          ? { type: 'alert', alert }
          : {
              type: 'alert',
              alert,
              snapshot: media(body.snapshot, 'snapshot', 'image/jpeg', ALERT_LIMITS.snapshotBytes),
            };
      return { ok: true, envelope };
    }
    return refuse(
      body.type === 'clip'
        ? 'clips are sent apart, as video/mp4 bytes: PUT /api/v1/ingest/alerts/{id}/clip'
        : 'type must be "alert"',
    );
  } catch (error) {
    if (error instanceof Refusal) {
      return { ok: false, problem: { code: 'VIGIE_E_INGEST_INVALID', message: error.message } };
    }
    throw error;
  }
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Cuts text to at most `max` characters, ending with an ellipsis when cut, never mid-pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

function fitZone(zone: AlertZone): AlertZone {
  return {
    ...zone,
    id: cut(zone.id, ALERT_LIMITS.name),
    name: cut(zone.name, ALERT_LIMITS.displayName),
  };
}

function fitFiring(firing: AlertFiring): AlertFiring {
  return {
    ...firing,
    rule: cut(firing.rule, ALERT_LIMITS.rule),
    ...(firing.zone ? { zone: fitZone(firing.zone) } : {}),
    // The first moments show how it began, the last how it ended: keep both ends.
    evidence: ends(firing.evidence, ALERT_LIMITS.moments).map((m) => ({
      ...m,
      what: cut(m.what, ALERT_LIMITS.what),
    })),
    explanation: cut(firing.explanation, ALERT_LIMITS.firingExplanation),
  };
}

function ends<T>(items: readonly T[], max: number): readonly T[] {
  if (items.length <= max) return items;
  const head = Math.ceil(max / 2);
  return [...items.slice(0, head), ...items.slice(items.length - (max - head))];
}

/**
 * An alert cut to fit {@link ALERT_LIMITS}: long texts end with an ellipsis, long lists keep
 * their first and last items, and should the whole still exceed `alertBytes`, the firings'
 * evidence moments and then the firings themselves go (the explanation stays). The detector
 * calls this before an alert enters its outbox.
 */
export function fitAlert<T extends EnvelopeAlert>(alert: T): T {
  let fitted: T = {
    ...alert,
    ...(alert.cameraName === undefined
      ? {}
      : { cameraName: cut(alert.cameraName, ALERT_LIMITS.displayName) }),
    ...(alert.explanation === undefined
      ? {}
      : { explanation: cut(alert.explanation, ALERT_LIMITS.explanation) }),
    ...(alert.rules === undefined
      ? {}
      : { rules: alert.rules.slice(0, ALERT_LIMITS.rules).map((r) => cut(r, ALERT_LIMITS.rule)) }),
    ...(alert.zone === undefined ? {} : { zone: fitZone(alert.zone) }),
    ...(alert.firings === undefined
      ? {}
      : { firings: ends(alert.firings, ALERT_LIMITS.firings).map(fitFiring) }),
    ...(alert.evidenceTimes === undefined
      ? {}
      : { evidenceTimes: ends(alert.evidenceTimes, ALERT_LIMITS.evidenceTimes) }),
  };
  const size = () => utf8Length(JSON.stringify(fitted));
  if (size() > ALERT_LIMITS.alertBytes && fitted.firings !== undefined) {
    fitted = { ...fitted, firings: fitted.firings.map((f) => ({ ...f, evidence: [] })) };
  }
  if (size() > ALERT_LIMITS.alertBytes && fitted.firings !== undefined) {
    fitted = { ...fitted, firings: [] };
  }
  if (size() > ALERT_LIMITS.alertBytes && fitted.evidenceTimes !== undefined) {
    fitted = { ...fitted, evidenceTimes: [] };
  }
  return fitted;
}
