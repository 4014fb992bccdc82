import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideDeleted, decideFinalized, DEFAULT_POLICY, triage } from './decide.js';
import type { StorageEvent } from './events.js';
import { compareGenerations, DELETED, FINALIZED, parseStorageEvent } from './events.js';

const now = new Date('2026-11-26T12:00:00Z');
const event = (over: Partial<StorageEvent> = {}): StorageEvent => ({
  id: '1',
  type: FINALIZED,
  time: now,
  bucket: 'b',
  name: 'client-configs/acme.xml',
  generation: '1700000000000002',
  size: 100,
  ...over,
});
const source = (generation: string) => ({
  bucket: 'b',
  object: 'client-configs/acme.xml',
  generation,
});

describe('triage', () => {
  it('takes client-configs/<client>.xml and names the client after the file', () => {
    assert.deepEqual(triage(event(), DEFAULT_POLICY, now), { action: 'process', client: 'acme' });
  });

  it('ignores other folders, other extensions, subfolders and stale events', () => {
    for (const name of [
      'other/acme.xml',
      'client-configs/acme.xml.report.json',
      'client-configs/eu/acme.xml',
    ]) {
      assert.equal(triage(event({ name }), DEFAULT_POLICY, now).action, 'ignore', name);
    }
    const old = event({ time: new Date(now.getTime() - DEFAULT_POLICY.maxEventAgeMs - 1) });
    assert.equal(triage(old, DEFAULT_POLICY, now).action, 'ignore');
  });
});

describe('decideFinalized', () => {
  it('ignores generations older than the applied one, and validates the rest', () => {
    const applied = {
      exists: true as const,
      source: source('1700000000000002'),
      resourceVersion: '1',
    };
    assert.equal(
      decideFinalized(event({ generation: '1700000000000001' }), applied, DEFAULT_POLICY).action,
      'ignore',
    );
    assert.equal(decideFinalized(event(), applied, DEFAULT_POLICY).action, 'validate');
    assert.equal(
      decideFinalized(event({ generation: '1700000000000003' }), applied, DEFAULT_POLICY).action,
      'validate',
    );
    assert.equal(decideFinalized(event(), { exists: false }, DEFAULT_POLICY).action, 'validate');
  });

  it('rejects oversized files without reading them', () => {
    assert.equal(
      decideFinalized(event({ size: 5 * 1024 * 1024 }), { exists: false }, DEFAULT_POLICY).action,
      'reject-size',
    );
  });
});

describe('decideDeleted', () => {
  const deleted = event({ type: DELETED });
  it('deletes only when the object is gone and the Client came from it', () => {
    const applied = {
      exists: true as const,
      source: source('1700000000000002'),
      resourceVersion: '1',
    };
    assert.equal(decideDeleted(deleted, applied, undefined).action, 'delete');
    assert.equal(decideDeleted(deleted, applied, '1700000000000003').action, 'ignore');
    assert.equal(decideDeleted(deleted, { exists: false }, undefined).action, 'ignore');
    assert.equal(
      decideDeleted(deleted, { exists: true, source: undefined, resourceVersion: '1' }, undefined)
        .action,
      'ignore',
    );
    const elsewhere = {
      exists: true as const,
      source: { ...source('1'), bucket: 'other' },
      resourceVersion: '1',
    };
    assert.equal(decideDeleted(deleted, elsewhere, undefined).action, 'ignore');
  });
});

describe('parseStorageEvent', () => {
  it('reads int64 fields sent as strings and refuses events without an object', () => {
    const parsed = parseStorageEvent({
      type: FINALIZED,
      id: 'x',
      time: now.toISOString(),
      data: { bucket: 'b', name: 'n', generation: '9007199254740993', size: '12' },
    });
    assert.equal(parsed.generation, '9007199254740993');
    assert.equal(parsed.size, 12);
    assert.throws(() => parseStorageEvent({ type: FINALIZED, data: {} }));
    assert.throws(() =>
      parseStorageEvent({ type: 'google.cloud.pubsub.topic.v1.messagePublished', data: {} }),
    );
  });

  it('compares generations beyond 2^53 exactly', () => {
    assert.equal(compareGenerations('9007199254740993', '9007199254740992'), 1);
  });
});
