import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ClientResource } from '@vigie/config';
import { repoRoot } from '@vigie/testenv';
import { DELETED, FINALIZED } from './events.js';
import type { Outcome } from './handler.js';
import { createHandler } from './handler.js';
import type { ClientStore, ObjectStore } from './ports.js';
import { ClusterRejectedError, TransientError } from './ports.js';
import type { ConfigReport } from './report.js';

const minimal = readFileSync(join(repoRoot(), 'examples/minimal.xml'), 'utf8');

/** A bucket in memory: each object's live generation and bytes, and what was written. */
function createMemoryBucket() {
  const objects = new Map<string, { generation: string; bytes: Uint8Array }>();
  const written = new Map<string, string>();
  const store: ObjectStore = {
    read: (_bucket, name, generation) => {
      const object = objects.get(name);
      return Promise.resolve(object?.generation === generation ? object.bytes : undefined);
    },
    currentGeneration: (_bucket, name) => Promise.resolve(objects.get(name)?.generation),
    write: (_bucket, name, content) => {
      written.set(name, content);
      return Promise.resolve();
    },
    remove: (_bucket, name) => {
      written.delete(name);
      return Promise.resolve();
    },
  };
  return { store, objects, written };
}

/** The `Client`s in memory; `failApply` makes the next apply throw it. */
function createMemoryClients() {
  const applied = new Map<string, ClientResource>();
  const state: { failApply?: Error } = {};
  const store: ClientStore = {
    lookup: (name) => {
      const resource = applied.get(name);
      return Promise.resolve(
        resource === undefined
          ? { exists: false as const }
          : { exists: true as const, source: resource.spec.source, resourceVersion: '1' },
      );
    },
    apply: (resource) => {
      if (state.failApply) return Promise.reject(state.failApply);
      applied.set(resource.metadata.name, resource);
      return Promise.resolve();
    },
    remove: (name) => {
      applied.delete(name);
      return Promise.resolve();
    },
  };
  return { store, applied, state };
}

function setup() {
  const bucket = createMemoryBucket();
  const clients = createMemoryClients();
  const handle = createHandler({
    objects: bucket.store,
    clients: clients.store,
    log: () => undefined,
  });
  const put = (name: string, generation: string, text: string) => {
    bucket.objects.set(name, { generation, bytes: new TextEncoder().encode(text) });
  };
  return { bucket, clients, handle, put };
}

const event = (type: string, name: string, generation: string, size?: number) => ({
  specversion: '1.0',
  id: `${name}#${generation}#${type}`,
  type,
  source: '//storage.googleapis.com/projects/_/buckets/configs',
  subject: `objects/${name}`,
  time: new Date().toISOString(),
  data: {
    bucket: 'configs',
    name,
    generation,
    ...(size === undefined ? {} : { size: String(size) }),
  },
});

/** The code of a rejection's first problem, or the result of any other outcome. */
const firstProblem = (outcome: Outcome) =>
  outcome.result === 'rejected' ? outcome.problems[0]?.code : outcome.result;

const FILE = 'client-configs/corner-shop.xml';

describe('the config function', () => {
  it('applies a valid config as its Client, and reports next to the file', async () => {
    const { bucket, clients, handle, put } = setup();
    put(FILE, '1', minimal);
    assert.deepEqual(await handle(event(FINALIZED, FILE, '1')), {
      result: 'applied',
      client: 'corner-shop',
    });
    assert.equal(clients.applied.get('corner-shop')?.spec.source?.generation, '1');
    const json = bucket.written.get('client-configs/corner-shop.xml.report.json') ?? '{}';
    const report = JSON.parse(json) as ConfigReport;
    assert.equal(report.status, 'Accepted');
  });

  it('rejects a file whose name is no client ID', async () => {
    const { bucket, clients, handle } = setup();
    const outcome = await handle(event(FINALIZED, 'client-configs/Corner Shop.xml', '1'));
    assert.equal(firstProblem(outcome), 'VIGIE_E_NAME_INVALID');
    assert.equal(clients.applied.size, 0);
    assert.ok(bucket.written.has('client-configs/Corner Shop.xml.report.txt'));
  });

  it('rejects a file over the size limit unread, and keeps the running config', async () => {
    const { clients, handle, put } = setup();
    const outcome = await handle(event(FINALIZED, FILE, '1', 2 * 1024 * 1024));
    assert.equal(firstProblem(outcome), 'VIGIE_E_INPUT_TOO_LARGE');
    put(FILE, '2', `${minimal}${' '.repeat(1024 * 1024)}`);
    const read = await handle(event(FINALIZED, FILE, '2'));
    assert.equal(firstProblem(read), 'VIGIE_E_INPUT_TOO_LARGE');
    assert.equal(clients.applied.size, 0);
  });

  it('ignores a generation that a newer one replaced', async () => {
    const { clients, handle, put } = setup();
    put(FILE, '2', minimal);
    assert.equal((await handle(event(FINALIZED, FILE, '1'))).result, 'ignored');
    assert.equal(clients.applied.size, 0);
  });

  it('reports a Client the cluster refuses, and retries only transient failures', async () => {
    const { clients, handle, put } = setup();
    put(FILE, '1', minimal);
    clients.state.failApply = new ClusterRejectedError('the CRD is outdated');
    const refused = await handle(event(FINALIZED, FILE, '1'));
    assert.equal(firstProblem(refused), 'VIGIE_E_CLUSTER_REJECTED');
    clients.state.failApply = new TransientError('the API server is down');
    await assert.rejects(handle(event(FINALIZED, FILE, '1')), TransientError);
    clients.state.failApply = new Error('a bug');
    const failed = await handle(event(FINALIZED, FILE, '1'));
    assert.equal(firstProblem(failed), 'VIGIE_E_INTERNAL');
  });

  it('removes the Client and its reports when its file is deleted', async () => {
    const { bucket, clients, handle, put } = setup();
    put(FILE, '1', minimal);
    await handle(event(FINALIZED, FILE, '1'));
    bucket.objects.delete(FILE);
    assert.deepEqual(await handle(event(DELETED, FILE, '1')), {
      result: 'deleted',
      client: 'corner-shop',
    });
    assert.equal(clients.applied.size, 0);
    assert.equal(bucket.written.size, 0);
  });
});
