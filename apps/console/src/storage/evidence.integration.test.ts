import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Storage } from '@google-cloud/storage';
import type { FakeGcs } from '@vigie/testenv';
import { startFakeGcs, toolsBinDir } from '@vigie/testenv';
import type { EvidenceStore } from '../ports.js';
import { createFolderEvidenceStore, createGcsEvidenceStore, evidenceKey } from './evidence.js';

const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
const key = evidenceKey('acme', 'a1', 'snapshot', createHash('sha256').update(bytes).digest('hex'));

function contract(name: string, store: () => EvidenceStore) {
  it(`${name}: keeps bytes under their key, and knows what it does not have`, async () => {
    await store().put(key, bytes, 'image/jpeg');
    assert.deepEqual(await store().get(key), bytes);
    assert.equal(await store().get(key.replace('a1', 'a2')), undefined);
  });
  it(`${name}: refuses keys it did not make`, async () => {
    for (const bad of ['../../etc/passwd', 'acme/a1/../../x', 'acme/a1/snapshot.jpg']) {
      await assert.rejects(store().put(bad, bytes, 'image/jpeg'), /not an evidence key/);
    }
  });
}

describe('evidence stores', () => {
  let gcs: FakeGcs;
  let storage: Storage;
  const dir = mkdtempSync(join(tmpdir(), 'vigie-evidence-'));
  before(async () => {
    gcs = await startFakeGcs({ binDir: toolsBinDir(process.env) });
    storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'vigie-test' });
    await storage.createBucket('evidence');
  });
  after(async () => {
    await gcs.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  contract('a folder', () => createFolderEvidenceStore(dir));
  contract('a bucket (fake-gcs-server)', () => createGcsEvidenceStore(storage, 'evidence'));
  it('a bucket keeps evidence under its prefix with its content type', async () => {
    const [metadata] = await storage.bucket('evidence').file(`evidence/${key}`).getMetadata();
    assert.equal(metadata.contentType, 'image/jpeg');
  });
});
