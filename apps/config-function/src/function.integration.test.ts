import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { Storage } from '@google-cloud/storage';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import type { LogEntry } from '@vigie/log';
import type { ControlPlane, FakeGcs } from '@vigie/testenv';
import { repoRoot, startFakeGcs, toolsBinDir } from '@vigie/testenv';
import { DELETED, FINALIZED } from './events.js';
import { FUNCTION_NAME, registerFunction } from './function.js';
import { createGcsObjectStore } from './gcs-store.js';
import { createKubeClientStore } from './kube-store.js';
import type { ClientCluster } from './test-cluster.js';
import { startClientCluster } from './test-cluster.js';

const BUCKET = 'acme-configs';
const root = repoRoot();
const minimal = readFileSync(join(root, 'examples/minimal.xml'), 'utf8');
const config = (id: string, name: string) =>
  minimal.replace('id="corner-shop"', `id="${id}"`).replace('name="Corner Shop"', `name="${name}"`);

let cp: ControlPlane;
let gcs: FakeGcs;
let storage: Storage;
let api: KubernetesObjectApi;
let server: Server;
let url: string;
const logs: LogEntry[] = [];

/** A TCP forwarder to the API server that can be cut, to play an outage. */
let apiUp = true;
const sockets = new Set<Socket>();
let proxy: ReturnType<typeof createServer>;

type ClientObject = KubernetesObject & {
  metadata: { name: string; generation?: number };
  spec: { name: string; source?: { bucket: string; object: string; generation: string } };
};

async function getClient(name: string): Promise<ClientObject | undefined> {
  try {
    return await api.read<ClientObject>({
      apiVersion: 'vigie.dev/v1alpha1',
      kind: 'Client',
      metadata: { name },
    });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

async function upload(
  name: string,
  content: string | Uint8Array,
): Promise<{ generation: string; size: string }> {
  const file = storage.bucket(BUCKET).file(name);
  await file.save(Buffer.from(content), { resumable: false });
  const [metadata] = await file.getMetadata();
  return { generation: String(metadata.generation), size: String(metadata.size) };
}

async function readReport(
  name: string,
): Promise<{ status: string; generation: string; problems: { code: string; text: string }[] }> {
  const [content] = await storage.bucket(BUCKET).file(`${name}.report.json`).download();
  return JSON.parse(content.toString('utf8')) as {
    status: string;
    generation: string;
    problems: { code: string; text: string }[];
  };
}

interface EventOptions {
  type: string;
  name: string;
  generation: string;
  size?: string;
  mode?: 'binary' | 'structured';
  time?: Date;
}

/** Delivers a storage event the way Eventarc does, in binary or structured CloudEvents mode. */
async function deliver(options: EventOptions): Promise<number> {
  const id = randomUUID();
  const time = (options.time ?? new Date()).toISOString();
  const data = {
    kind: 'storage#object',
    bucket: BUCKET,
    name: options.name,
    generation: options.generation,
    metageneration: '1',
    size: options.size ?? '100',
    contentType: 'application/xml',
    timeCreated: time,
    updated: time,
  };
  const source = `//storage.googleapis.com/projects/_/buckets/${BUCKET}`;
  const subject = `objects/${options.name}`;
  const response =
    options.mode === 'structured'
      ? await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: JSON.stringify({
            specversion: '1.0',
            type: options.type,
            source,
            subject,
            id,
            time,
            datacontenttype: 'application/json',
            data,
          }),
        })
      : await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'ce-specversion': '1.0',
            'ce-type': options.type,
            'ce-source': source,
            'ce-subject': subject,
            'ce-id': id,
            'ce-time': time,
          },
          body: JSON.stringify(data),
        });
  await response.arrayBuffer();
  return response.status;
}

before(async () => {
  let cluster: ClientCluster;
  [cluster, gcs] = await Promise.all([
    startClientCluster(),
    startFakeGcs({ binDir: toolsBinDir(process.env) }),
  ]);
  cp = cluster.controlPlane;
  api = cluster.api;

  const target = new URL(cp.server);
  proxy = createServer((socket) => {
    if (!apiUp) {
      socket.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyAddress = proxy.address();
  const proxyPort =
    typeof proxyAddress === 'object' && proxyAddress !== null ? proxyAddress.port : 0;
  const viaProxy = new KubeConfig();
  viaProxy.loadFromString(
    cp.kubeconfig.replace(cp.server, `https://127.0.0.1:${String(proxyPort)}`),
  );
  // The API server's certificate names 127.0.0.1, so the proxy is transparent to TLS.

  storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'vigie-test' });
  await storage.createBucket(BUCKET);
  registerFunction({
    objects: createGcsObjectStore(storage),
    clients: createKubeClientStore(() => viaProxy),
    log: (severity, message, fields) => logs.push({ severity, message, ...fields }),
  });
  server = getTestServer(FUNCTION_NAME);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}/`;
});

after(async () => {
  server.close();
  for (const s of sockets) s.destroy();
  proxy.close();
  await Promise.all([cp.stop(), gcs.stop()]);
});

describe('process_client_config against fake-gcs-server and a real API server', () => {
  const name = 'client-configs/acme.xml';
  const generations: string[] = [];

  it('creates the Client when a config is uploaded (binary CloudEvent)', async () => {
    const { generation, size } = await upload(name, config('acme', 'ACME One'));
    generations.push(generation);
    assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 204);
    const client = await getClient('acme');
    assert.equal(client?.spec.name, 'ACME One');
    assert.deepEqual(client.spec.source, { bucket: BUCKET, object: name, generation });
    const report = await readReport(name);
    assert.equal(report.status, 'Accepted');
    assert.equal(report.generation, generation);
  });

  it('updates the Client when the file changes (structured CloudEvent)', async () => {
    const before = await getClient('acme');
    const { generation, size } = await upload(name, config('acme', 'ACME Two'));
    generations.push(generation);
    assert.equal(
      await deliver({ type: FINALIZED, name, generation, size, mode: 'structured' }),
      204,
    );
    const client = await getClient('acme');
    assert.equal(client?.spec.name, 'ACME Two');
    assert.equal(client.spec.source?.generation, generation);
    assert.ok((client.metadata.generation ?? 0) > (before?.metadata.generation ?? 0));
  });

  it('keeps the last good config on a bad update, and reports why', async () => {
    const { generation, size } = await upload(
      name,
      config('acme', 'ACME Bad').replace('rtsp://', 'http://admin:secret@'),
    );
    assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 204);
    const client = await getClient('acme');
    assert.equal(client?.spec.name, 'ACME Two');
    const report = await readReport(name);
    assert.equal(report.status, 'Rejected');
    assert.equal(report.generation, generation);
    const [problem] = report.problems;
    assert.ok(problem);
    assert.equal(problem.code, 'VIGIE_E_CREDENTIALS_IN_URL');
    assert.match(problem.text, /^\d+:\d+ VIGIE_E_CREDENTIALS_IN_URL /);
    const [text] = await storage.bucket(BUCKET).file(`${name}.report.txt`).download();
    assert.match(text.toString(), /REJECTED\. Nothing changed: the previous config keeps running/);
    // A duplicate of the rejected event changes nothing either.
    assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 204);
    assert.equal((await getClient('acme'))?.spec.name, 'ACME Two');
  });

  it('ignores an older generation delivered late', async () => {
    const { generation, size } = await upload(name, config('acme', 'ACME Three'));
    assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 204);
    generations.push(generation);
    const older = generations[0] ?? '';
    assert.equal(await deliver({ type: FINALIZED, name, generation: older }), 204);
    assert.equal((await getClient('acme'))?.spec.source?.generation, generation);
  });

  it('survives an overwrite whose deleted event comes first', async () => {
    const previous = generations.at(-1) ?? '';
    const { generation, size } = await upload(name, config('acme', 'ACME Four'));
    assert.equal(await deliver({ type: DELETED, name, generation: previous }), 204);
    assert.equal((await getClient('acme'))?.spec.name, 'ACME Three');
    assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 204);
    assert.equal((await getClient('acme'))?.spec.name, 'ACME Four');
    generations.push(generation);
  });

  it('survives an overwrite whose deleted event comes last', async () => {
    const previous = generations.at(-1) ?? '';
    const { generation, size } = await upload(name, config('acme', 'ACME Five'));
    assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 204);
    assert.equal(await deliver({ type: DELETED, name, generation: previous }), 204);
    assert.equal((await getClient('acme'))?.spec.name, 'ACME Five');
    generations.push(generation);
  });

  it('retries through an API server outage: the invocation fails, the retry applies', async () => {
    const { generation, size } = await upload(name, config('acme', 'ACME Six'));
    apiUp = false;
    try {
      assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 500);
    } finally {
      apiUp = true;
    }
    assert.equal((await getClient('acme'))?.spec.name, 'ACME Five');
    assert.equal(await deliver({ type: FINALIZED, name, generation, size }), 204);
    assert.equal((await getClient('acme'))?.spec.name, 'ACME Six');
    generations.push(generation);
  });

  it('removes the Client when the file is deleted', async () => {
    await storage.bucket(BUCKET).file(name).delete();
    assert.equal(await deliver({ type: DELETED, name, generation: generations.at(-1) ?? '' }), 204);
    assert.equal(await getClient('acme'), undefined);
    const [exists] = await storage.bucket(BUCKET).file(`${name}.report.json`).exists();
    assert.equal(exists, false);
  });

  it('rejects files that are not XML, or hostile, with a report and no Client', async () => {
    const hostile: [string, string | Uint8Array, string][] = [
      ['junk', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), 'VIGIE_E_INPUT_BINARY'],
      [
        'xxe',
        '<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><client>&x;</client>',
        'VIGIE_E_XML_DOCTYPE',
      ],
      [
        'bomb',
        `<!DOCTYPE l [<!ENTITY a "${'a'.repeat(50)}"><!ENTITY b "${'&a;'.repeat(50)}">]><client>&b;</client>`,
        'VIGIE_E_XML_DOCTYPE',
      ],
      ['deep', `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`, 'VIGIE_E_XML_TOO_DEEP'],
      ['latin1', Buffer.from('<client name="caf\xe9"/>', 'latin1'), 'VIGIE_E_INPUT_ENCODING'],
      ['huge', `<client>${' '.repeat(5 * 1024 * 1024)}</client>`, 'VIGIE_E_INPUT_TOO_LARGE'],
      ['wrong-id', config('someone-else', 'Other'), 'VIGIE_E_ID_MISMATCH'],
      ['Not_A_Name', config('not-a-name', 'Bad name'), 'VIGIE_E_NAME_INVALID'],
    ];
    for (const [client, content, code] of hostile) {
      const file = `client-configs/${client}.xml`;
      const { generation, size } = await upload(file, content);
      assert.equal(await deliver({ type: FINALIZED, name: file, generation, size }), 204, client);
      const report = await readReport(file);
      assert.equal(report.status, 'Rejected', client);
      assert.equal(report.problems[0]?.code, code, client);
      assert.equal(await getClient(client), undefined, client);
    }
  });

  it('ignores other files, stale events and malformed events without failing', async () => {
    const other = await upload('notes/readme.xml', config('notes', 'Notes'));
    assert.equal(
      await deliver({ type: FINALIZED, name: 'notes/readme.xml', generation: other.generation }),
      204,
    );
    const txt = await upload('client-configs/readme.txt', 'hello');
    assert.equal(
      await deliver({
        type: FINALIZED,
        name: 'client-configs/readme.txt',
        generation: txt.generation,
      }),
      204,
    );
    const stale = await upload('client-configs/stale.xml', config('stale', 'Stale'));
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    assert.equal(
      await deliver({
        type: FINALIZED,
        name: 'client-configs/stale.xml',
        generation: stale.generation,
        time: twoHoursAgo,
      }),
      204,
    );
    assert.equal(await getClient('stale'), undefined);
    assert.ok(logs.some((l) => l.message.startsWith('ignored: stale')));
    const malformed = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-type': FINALIZED,
        'ce-source': 'x',
        'ce-id': '1',
      },
      body: '{}',
    });
    assert.ok(malformed.ok);
  });

  it('logs structured entries with the fields Cloud Logging indexes', () => {
    const applied = logs.find((l) => l.message === 'applied Client acme');
    assert.ok(applied);
    assert.equal(applied.severity, 'INFO');
    assert.equal(applied.bucket, BUCKET);
    assert.equal(applied.object, 'client-configs/acme.xml');
    assert.equal(typeof applied.generation, 'string');
  });
});
