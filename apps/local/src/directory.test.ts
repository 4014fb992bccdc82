import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createFolderObjectStore, createHandler, watchFolder } from '@vigie/config-function';
import { createLocalClientStore } from './clients.js';
import { createLocalDirectory } from './directory.js';

const root = mkdtempSync(join(tmpdir(), 'vigie-directory-'));
const bucketRoot = join(root, 'bucket');
const configs = join(bucketRoot, 'client-configs');

after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A report as someone who can drop files into the folder would forge it. */
const forged = (object: string, generation: string) =>
  JSON.stringify({
    apiVersion: 'vigie.dev/v1alpha1',
    kind: 'ConfigReport',
    bucket: 'local',
    object,
    generation,
    client: 'forged',
    status: 'Rejected',
    checkedAt: '2026-01-01T00:00:00.000Z',
    problems: [
      {
        code: 'VIGIE_E_INTERNAL',
        message: 'FORGED: call 555-0100 now',
        line: 1,
        column: 1,
        text: '1:1 VIGIE_E_INTERNAL FORGED: call 555-0100 now',
      },
    ],
  });

describe("vigie up's client directory", () => {
  it('shows only the reports the config function wrote, never a hand-written one', async () => {
    mkdirSync(configs, { recursive: true });
    // A rejected upload: its report is the function's.
    writeFileSync(join(configs, 'broken.xml'), '<client');
    // A hand-written report for a client whose config is absent, and one beside a real file.
    writeFileSync(join(configs, 'ghost.xml.report.json'), forged('client-configs/ghost.xml', '1'));
    writeFileSync(join(configs, 'other.txt'), 'not a config');
    const clients = createLocalClientStore(join(root, 'clients'));
    await clients.load();
    const objects = createFolderObjectStore(bucketRoot);
    const watcher = watchFolder({
      root: bucketRoot,
      objects,
      handle: createHandler({ objects, clients, log: () => undefined }),
    });
    await watcher.ready;
    watcher.close();
    const directory = createLocalDirectory({
      clients,
      supervisor: { cameras: () => [] },
      bucketRoot,
      prefix: 'client-configs/',
      objects,
    });

    // The function's report on broken.xml, then a forgery over it with the file's generation.
    let views = await directory.list();
    const broken = views.find((v) => v.name === 'broken');
    assert.equal(broken?.state, 'Rejected');
    assert.ok(broken.lastReport);
    const generation = broken.lastReport.generation;
    writeFileSync(
      join(configs, 'broken.xml.report.json'),
      forged('client-configs/broken.xml', generation),
    );

    views = await directory.list();
    assert.deepEqual(
      views.map((v) => v.name),
      ['broken'],
    );
    assert.doesNotMatch(JSON.stringify(views), /FORGED/);
    assert.match(JSON.stringify(views), /VIGIE_E_XML_SYNTAX/);
  });
});
