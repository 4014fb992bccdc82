/** Test-only: small, valid alert envelopes for the outbox's tests. */

import type { IngestEnvelope } from '@vigie/config';

/** An alert envelope with this ID; with `snapshot`, that text as its snapshot's data. */
export function testEnvelope(id: string, snapshot?: string): IngestEnvelope {
  const envelope: IngestEnvelope = {
    type: 'alert',
    alert: {
      id,
      client: 'acme',
      camera: 'aisle',
      cameraName: 'Aisle',
      rule: 'concealment',
      rules: ['concealment'],
      trackId: 1,
      t: 1,
      score: 1,
      threshold: 1,
      sensitivity: 'medium',
      box: [0, 0, 10, 10],
      width: 640,
      height: 480,
      firings: [],
      evidenceTimes: [],
      explanation: 'A test alert.',
      shard: 'shard-0',
      detectedAt: '2026-12-01T00:00:00.000Z',
    },
  };
  return snapshot === undefined
    ? envelope
    : { ...envelope, snapshot: { contentType: 'image/jpeg', data: snapshot } };
}
