import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EntryVerdict } from './entry.js';
import { folderEvent, nextStep } from './folder-event.js';

const refusal: EntryVerdict = {
  action: 'refuse',
  name: 'acme.xml',
  generation: '7',
  problem: { code: 'VIGIE_E_INPUT_UNREADABLE', message: 'a symbolic link', line: 1, column: 1 },
  nextToFile: true,
  named: false,
};

describe("the folder watcher's next step", () => {
  it('hands a new or changed file to the function once per generation', () => {
    const written: EntryVerdict = { action: 'handle', generation: '7', size: 12n };
    assert.deepEqual(nextStep(written, undefined), {
      action: 'deliver',
      gone: false,
      generation: '7',
      size: 12n,
    });
    assert.equal(nextStep(written, { generation: '6', handled: true }).action, 'deliver');
    assert.equal(nextStep(written, { generation: '7', handled: true }).action, 'none');
  });

  it('refuses an entry once per generation', () => {
    assert.equal(nextStep(refusal, undefined).action, 'refuse');
    assert.equal(nextStep(refusal, { generation: '7', handled: false }).action, 'none');
  });

  it('tells the function of a deletion only when it saw the file', () => {
    const gone: EntryVerdict = { action: 'gone' };
    assert.equal(nextStep(gone, undefined).action, 'none');
    assert.equal(nextStep(gone, { generation: '7', handled: false }).action, 'forget');
    assert.deepEqual(nextStep(gone, { generation: '7', handled: true }), {
      action: 'deliver',
      gone: true,
      generation: '7',
    });
  });

  it('does nothing about names that are no configs', () => {
    assert.equal(nextStep({ action: 'ignore' }, { generation: '1', handled: true }).action, 'none');
  });
});

describe("the folder watcher's storage events", () => {
  const at = new Date('2026-01-01T00:00:00Z');

  it('says a file was written, with its generation and size', () => {
    const event = folderEvent(
      'client-configs/acme.xml',
      { action: 'deliver', gone: false, generation: '7', size: 12n },
      at,
    );
    assert.deepEqual(event, {
      specversion: '1.0',
      id: 'client-configs/acme.xml#7#google.cloud.storage.object.v1.finalized',
      type: 'google.cloud.storage.object.v1.finalized',
      source: '//storage.googleapis.com/projects/_/buckets/local',
      subject: 'objects/client-configs/acme.xml',
      time: '2026-01-01T00:00:00.000Z',
      data: { bucket: 'local', name: 'client-configs/acme.xml', generation: '7', size: '12' },
    });
  });

  it('says a file is gone, with the generation last seen and no size', () => {
    const event = folderEvent(
      'client-configs/acme.xml',
      { action: 'deliver', gone: true, generation: '7' },
      at,
    );
    assert.equal(event.type, 'google.cloud.storage.object.v1.deleted');
    assert.deepEqual(event.data, {
      bucket: 'local',
      name: 'client-configs/acme.xml',
      generation: '7',
    });
  });
});
