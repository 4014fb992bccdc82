/**
 * What detectors post: alerts with their snapshot, checked against the envelope and its limits
 * that the detector shares (`@vigie/config`), then decoded. Pure: a bad envelope is an
 * {@link InputError} with a stable code, before anything touches storage.
 */

import { ALERT_LIMITS, checkIngestEnvelope } from '@vigie/config';
import { InputError } from './errors.js';
import type { IncomingAlert } from './storage/alerts.js';

/** Largest snapshot accepted, decoded. */
export const MAX_SNAPSHOT_BYTES = ALERT_LIMITS.snapshotBytes;
/** Largest clip accepted. */
export const MAX_CLIP_BYTES = ALERT_LIMITS.clipBytes;

/** A checked alert with its decoded snapshot; the console has not issued its ID yet. */
export interface AlertPost {
  readonly alert: Omit<IncomingAlert, 'id'>;
  readonly snapshot?: { readonly contentType: string; readonly data: Uint8Array };
}

/** Checks a posted alert envelope; throws an {@link InputError} naming the first problem. */
export function parseAlertPost(body: unknown): AlertPost {
  const checked = checkIngestEnvelope(body);
  if (!checked.ok) throw new InputError(checked.problem.code, checked.problem.message);
  const { alert, snapshot } = checked.envelope;
  const parsed: Omit<IncomingAlert, 'id'> = {
    key: alert.id,
    client: alert.client,
    camera: alert.camera,
    rule: alert.rule,
    detectedAt: new Date(alert.detectedAt).toISOString(),
    body: alert as unknown as Record<string, unknown>,
  };
  return snapshot === undefined
    ? { alert: parsed }
    : {
        alert: parsed,
        snapshot: {
          contentType: snapshot.contentType,
          data: new Uint8Array(Buffer.from(snapshot.data, 'base64')),
        },
      };
}
