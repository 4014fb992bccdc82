import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '@vigie/testenv';
import type { EnvelopeAlert } from './alert-envelope.js';
import { ALERT_LIMITS, base64Size, checkIngestEnvelope, fitAlert } from './alert-envelope.js';

const alert = (change: Partial<EnvelopeAlert> = {}): EnvelopeAlert => ({
  id: 'acme-aisle-1a2b3c',
  client: 'acme',
  camera: 'aisle',
  cameraName: 'Cosmetics aisle',
  rule: 'concealment',
  rules: ['concealment'],
  trackId: 3,
  t: 12.5,
  score: 1.5,
  threshold: 1,
  sensitivity: 'medium',
  box: [100, 80, 220, 400],
  width: 640,
  height: 480,
  zone: { id: 'shelf', name: 'Cosmetics shelf', type: 'shelf' },
  firings: [
    {
      rule: 'concealment',
      trackId: 3,
      t: 12.5,
      strength: 1,
      zone: { id: 'shelf', name: 'Cosmetics shelf', type: 'shelf' },
      evidence: [{ t: 11.2, what: 'right wrist in Cosmetics shelf' }],
      explanation: 'The right hand reached into Cosmetics shelf, then went to the body.',
    },
  ],
  evidenceTimes: [11.2, 12.5],
  detectedAt: '2026-11-30T10:00:00.000Z',
  explanation: 'The right hand reached into Cosmetics shelf, then went to the body.',
  ...change,
});

const check = (a: unknown, snapshot?: unknown) =>
  checkIngestEnvelope({ type: 'alert', alert: a, ...(snapshot ? { snapshot } : {}) });

describe('the alert envelope', () => {
  it('takes a real alert with its snapshot', () => {
    const result = check(alert(), { contentType: 'image/jpeg', data: '/9j/4AAQ' });
    assert.ok(result.ok, JSON.stringify(result));
  });

  it('names the first field beyond its limit', () => {
    const cases: [Partial<EnvelopeAlert> | Record<string, unknown>, RegExp][] = [
      [{ id: '../etc' }, /alert\.id/],
      [{ client: 'Acme' }, /alert\.client/],
      [{ explanation: 'x'.repeat(ALERT_LIMITS.explanation + 1) }, /alert\.explanation/],
      [{ zone: { id: 'z', name: 'Z', type: 'vault' } }, /alert\.zone\.type/],
      [{ box: [1, 2, 3] }, /alert\.box/],
      [{ score: Number.NaN }, /alert\.score/],
      [{ sensitivity: 'paranoid' }, /alert\.sensitivity/],
      [{ detectedAt: 'yesterday' }, /alert\.detectedAt/],
    ];
    for (const [change, message] of cases) {
      const result = check({ ...alert(), ...change });
      assert.ok(!result.ok, JSON.stringify(change));
      assert.equal(result.problem.code, 'VIGIE_E_INGEST_INVALID');
      assert.match(result.problem.message, message);
    }
  });

  it('refuses a snapshot that is not base64 JPEG of at most 10 MiB, from its text alone', () => {
    const tooBig = 'A'.repeat(Math.ceil((ALERT_LIMITS.snapshotBytes + 3) / 3) * 4);
    assert.ok(base64Size(tooBig) > ALERT_LIMITS.snapshotBytes);
    for (const snapshot of [
      { contentType: 'image/png', data: 'AAAA' },
      { contentType: 'image/jpeg', data: 'not base64!' },
      { contentType: 'image/jpeg', data: tooBig },
    ]) {
      assert.ok(!check(alert(), snapshot).ok, snapshot.data.slice(0, 20));
    }
  });

  it('fits any alert within every limit, keeping the ends of long lists', () => {
    const firing = (i: number) => ({
      rule: 'concealment',
      trackId: 3,
      t: i,
      strength: 1,
      zone: { id: 'z'.repeat(63), name: 'Ω'.repeat(900), type: 'shelf' as const },
      evidence: Array.from({ length: 200 }, (_, j) => ({ t: j, what: '🛒'.repeat(400) })),
      explanation: '🛒'.repeat(3000),
    });
    for (const count of [0, 1, 17, 300]) {
      const long = alert({
        cameraName: '🛒'.repeat(999),
        explanation: 'é'.repeat(50_000),
        rules: Array<string>(count).fill('exit'),
        firings: Array.from({ length: count }, (_, i) => firing(i)),
        evidenceTimes: Array.from({ length: count * 10 }, (_, i) => i),
      });
      const fitted = fitAlert(long);
      const result = check(fitted);
      assert.ok(result.ok, `${String(count)}: ${result.ok ? '' : result.problem.message}`);
      if (count > ALERT_LIMITS.evidenceTimes / 10 && fitted.evidenceTimes?.length) {
        assert.equal(fitted.evidenceTimes.at(-1), count * 10 - 1, 'the last time is kept');
      }
      // Cut texts never end in half a character.
      assert.doesNotMatch(fitted.cameraName ?? '', /[\ud800-\udbff]…$/);
    }
    assert.deepEqual(fitAlert(alert()), alert(), 'an alert within its limits is unchanged');
  });

  it('reads an outbox file that a detector wrote on a real node', () => {
    // Written during a console outage by the detector image, as it waited in the outbox; only
    // the snapshot's bytes were swapped for a small JPEG.
    const file = readFileSync(join(repoRoot(), 'packages/config/fixtures/outbox-alert.json'));
    const stored = JSON.parse(file.toString('utf8')) as { alert: Record<string, unknown> };
    const checked = checkIngestEnvelope(stored);
    assert.ok(checked.ok, checked.ok ? '' : checked.problem.message);
    assert.deepEqual(checked.envelope.alert, stored.alert);
    assert.equal(checked.envelope.snapshot?.contentType, 'image/jpeg');
  });
});
