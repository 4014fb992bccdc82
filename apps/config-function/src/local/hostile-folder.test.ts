import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import type { ClientResource } from '@vigie/config';
import type { LogEntry } from '@vigie/log';
import { repoRoot } from '@vigie/testenv';
import { createHandler } from '../handler.js';
import type { ClientStore } from '../ports.js';
import { TransientError } from '../ports.js';
import type { ConfigReport } from '../report.js';
import { createFolderObjectStore } from './folder-store.js';
import type { FolderWatcher } from './watcher.js';
import { watchFolder } from './watcher.js';

const minimal = readFileSync(join(repoRoot(), 'examples/minimal.xml'), 'utf8');
const config = (name: string) => minimal.replace('name="Corner Shop"', `name="${name}"`);

/** The `ClientStore` port over a map, with the same optimistic checks as the cluster's. */
function createMemoryClients(): ClientStore & { get(name: string): ClientResource | undefined } {
  const clients = new Map<string, { version: string; resource: ClientResource }>();
  let version = 0;
  const check = (name: string, resourceVersion: string | undefined) => {
    if (resourceVersion !== undefined && clients.get(name)?.version !== resourceVersion)
      throw new TransientError(`Client ${name} changed since it was read`);
  };
  return {
    get: (name) => clients.get(name)?.resource,
    lookup(name) {
      const stored = clients.get(name);
      return Promise.resolve(
        stored === undefined
          ? { exists: false as const }
          : {
              exists: true as const,
              source: stored.resource.spec.source,
              resourceVersion: stored.version,
            },
      );
    },
    apply(resource, resourceVersion) {
      check(resource.metadata.name, resourceVersion);
      clients.set(resource.metadata.name, { version: String(++version), resource });
      return Promise.resolve();
    },
    remove(name, resourceVersion) {
      check(name, resourceVersion);
      clients.delete(name);
      return Promise.resolve();
    },
  };
}

interface Folder {
  readonly root: string;
  readonly configs: string;
  readonly clients: ReturnType<typeof createMemoryClients>;
  readonly logs: LogEntry[];
  /** Object names the handler was asked about, one per event. */
  readonly events: string[];
  /** Object names whose bytes were read. */
  readonly reads: string[];
  readonly watcher: FolderWatcher;
}

let folder: Folder | undefined;

/** Starts the watcher on a new folder, after `prepare` has put files into it. */
async function startFolder(prepare: (configs: string, root: string) => void): Promise<Folder> {
  const root = mkdtempSync(join(tmpdir(), 'vigie-hostile-'));
  const configs = join(root, 'bucket', 'client-configs');
  mkdirSync(configs, { recursive: true });
  prepare(configs, root);
  const clients = createMemoryClients();
  const logs: LogEntry[] = [];
  const events: string[] = [];
  const reads: string[] = [];
  const store = createFolderObjectStore(join(root, 'bucket'));
  const objects = {
    ...store,
    read: (bucket: string, name: string, generation: string) => {
      reads.push(name);
      return store.read(bucket, name, generation);
    },
  };
  const handler = createHandler({
    objects,
    clients,
    log: (severity, message, fields) => logs.push({ severity, message, ...fields }),
  });
  const watcher = watchFolder({
    root: join(root, 'bucket'),
    objects,
    log: (severity, message, fields) => logs.push({ severity, message, ...fields }),
    handle: (event) => {
      events.push((event as { data: { name: string } }).data.name);
      return handler(event);
    },
  });
  await watcher.ready;
  folder = { root, configs, clients, logs, events, reads, watcher };
  return folder;
}

afterEach(() => {
  folder?.watcher.close();
  if (folder) rmSync(folder.root, { recursive: true, force: true });
  folder = undefined;
});

function report(configs: string, file: string): ConfigReport {
  return JSON.parse(readFileSync(join(configs, `${file}.report.json`), 'utf8')) as ConfigReport;
}

const codes = (r: ConfigReport) => r.problems.map((p) => p.code);

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if (check()) return;
    } catch {
      // Not there yet.
    }
    await sleep(25);
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('the local bucket folder against a hostile writer', () => {
  it('does not apply a link to a config outside the folder, and reports it', async () => {
    const { configs, clients, reads } = await startFolder((configs, root) => {
      writeFileSync(join(root, 'outside.xml'), config('Outside'));
      symlinkSync(join(root, 'outside.xml'), join(configs, 'corner-shop.xml'));
    });
    assert.equal(clients.get('corner-shop'), undefined);
    const r = report(configs, 'corner-shop.xml');
    assert.equal(r.status, 'Rejected');
    assert.deepEqual(codes(r), ['VIGIE_E_INPUT_UNREADABLE']);
    assert.match(r.problems[0]?.message ?? '', /symbolic link/);
    assert.deepEqual(reads, []);
  });

  it('never reads /etc/passwd through a link', async () => {
    const { configs, reads } = await startFolder((configs) => {
      symlinkSync('/etc/passwd', join(configs, 'passwd.xml'));
    });
    assert.deepEqual(codes(report(configs, 'passwd.xml')), ['VIGIE_E_INPUT_UNREADABLE']);
    assert.doesNotMatch(readFileSync(join(configs, 'passwd.xml.report.txt'), 'utf8'), /root:/);
    assert.deepEqual(reads, []);
  });

  it('reads no FIFO and no directory named *.xml, and reports both', async () => {
    const { configs, reads } = await startFolder((configs) => {
      execFileSync('mkfifo', [join(configs, 'pipe.xml')]);
      mkdirSync(join(configs, 'folder.xml'));
    });
    const pipe = report(configs, 'pipe.xml');
    assert.deepEqual(codes(pipe), ['VIGIE_E_INPUT_UNREADABLE']);
    assert.match(pipe.problems[0]?.message ?? '', /FIFO/);
    assert.deepEqual(codes(report(configs, 'folder.xml')), ['VIGIE_E_INPUT_UNREADABLE']);
    assert.deepEqual(reads, []);
  });

  it('keeps the last good config when a link replaces it, and removes it when the link goes', async () => {
    const { configs, clients, root } = await startFolder((configs) => {
      writeFileSync(join(configs, 'corner-shop.xml'), config('Good'));
    });
    assert.equal(clients.get('corner-shop')?.spec.name, 'Good');
    writeFileSync(join(root, 'evil.xml'), config('Evil'));
    rmSync(join(configs, 'corner-shop.xml'));
    symlinkSync(join(root, 'evil.xml'), join(configs, 'corner-shop.xml'));
    await eventually(
      () => codes(report(configs, 'corner-shop.xml')).includes('VIGIE_E_INPUT_UNREADABLE'),
      'the link is reported',
    );
    assert.equal(clients.get('corner-shop')?.spec.name, 'Good');
    rmSync(join(configs, 'corner-shop.xml'));
    await eventually(() => clients.get('corner-shop') === undefined, 'the client is removed');
  });

  it('refuses a 1 GiB sparse file from its size, without reading it', async () => {
    const { configs, reads } = await startFolder((configs) => {
      writeFileSync(join(configs, 'huge.xml'), '');
      truncateSync(join(configs, 'huge.xml'), 1024 ** 3);
    });
    const r = report(configs, 'huge.xml');
    assert.deepEqual(codes(r), ['VIGIE_E_INPUT_TOO_LARGE']);
    assert.match(r.problems[0]?.message ?? '', /1073741824 bytes/);
    assert.deepEqual(reads, []);
  });

  it('reports a name too long for a report once, in the logs, and never hands it on', async () => {
    const long = `${'a'.repeat(245)}.xml`;
    const { configs, logs, events } = await startFolder((configs) => {
      writeFileSync(join(configs, long), config('Long'));
    });
    await sleep(1000);
    const named = logs.filter((l) => l.object === `client-configs/${long}`);
    assert.equal(named.length, 1);
    assert.match(named[0]?.message ?? '', /VIGIE_E_NAME_INVALID/);
    assert.deepEqual(events, []);
    // A change is news, and is reported once more.
    writeFileSync(join(configs, long), config('Longer'));
    await eventually(
      () => logs.filter((l) => l.object === `client-configs/${long}`).length === 2,
      'the change is reported',
    );
    assert.deepEqual(events, []);
  });

  it('reports a name that is not UTF-8 once, in the logs', async () => {
    const { logs, events } = await startFolder((configs) => {
      writeFileSync(
        Buffer.concat([Buffer.from(`${configs}/bad`), Buffer.from([0xff]), Buffer.from('.xml')]),
        config('Bytes'),
      );
    });
    await sleep(500);
    const bad = logs.filter((l) => /not valid UTF-8/.test(l.message));
    assert.equal(bad.length, 1);
    assert.match(bad[0]?.message ?? '', /VIGIE_E_NAME_INVALID/);
    assert.deepEqual(events, []);
  });

  it('reports a name with bad characters next to the file, once', async () => {
    const { configs, events } = await startFolder((configs) => {
      writeFileSync(join(configs, 'Corner Shop.xml'), config('Spaces'));
    });
    assert.deepEqual(codes(report(configs, 'Corner Shop.xml')), ['VIGIE_E_NAME_INVALID']);
    await sleep(500);
    assert.deepEqual(events, ['client-configs/Corner Shop.xml']);
  });

  it('writes reports of its own over a hand-written one, and does not follow a link there', async () => {
    const { configs, root } = await startFolder((configs, root) => {
      writeFileSync(join(root, 'target'), 'untouched');
      symlinkSync(join(root, 'target'), join(configs, 'corner-shop.xml.report.json'));
      writeFileSync(join(configs, 'corner-shop.xml.report.txt'), 'Result: ACCEPTED (forged)');
      writeFileSync(join(configs, 'corner-shop.xml'), config('Good'));
    });
    assert.equal(report(configs, 'corner-shop.xml').status, 'Accepted');
    assert.doesNotMatch(
      readFileSync(join(configs, 'corner-shop.xml.report.txt'), 'utf8'),
      /forged/,
    );
    assert.equal(readFileSync(join(root, 'target'), 'utf8'), 'untouched');
  });

  it('still keeps the last good config on a broken change, and removes the client with its file', async () => {
    const { configs, clients } = await startFolder((configs) => {
      writeFileSync(join(configs, 'corner-shop.xml'), config('Good'));
    });
    writeFileSync(join(configs, 'corner-shop.xml'), '<client');
    await eventually(
      () => report(configs, 'corner-shop.xml').status === 'Rejected',
      'the broken change is reported',
    );
    assert.equal(clients.get('corner-shop')?.spec.name, 'Good');
    rmSync(join(configs, 'corner-shop.xml'));
    await eventually(() => clients.get('corner-shop') === undefined, 'the client is removed');
    assert.equal(existsSync(join(configs, 'corner-shop.xml.report.json')), false);
  });
});
