import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientSpec } from '@vigie/config';
import { silentLogger } from '@vigie/log';
import { planClient } from '@vigie/plan';
import { OWNED_KINDS } from '../controller/caches.js';
import { CLIENT_LABEL, NOTHING_OBSERVED, desired } from '../desired/desired.js';
import { DEFAULT_SETTINGS } from '../desired/settings.js';
import { KubeApiError } from '../kube/client.js';
import type { RequestInit } from '../kube/client.js';
import type { CachedObject } from '../kube/informer.js';
import { keyOf } from '../kube/informer.js';
import type { OwnedKind } from '../kube/resources.js';
import { TYPES, collectionPath, objectPath } from '../kube/resources.js';
import type { Regarding } from '../runtime/events.js';
import { OperatorMetrics } from '../runtime/metrics.js';
import { exampleSpec } from '../testing/harness.js';
import type { ClientObject, ObjectCache } from './deps.js';
import { Reconciler, TERMINAL_RETRY_MS } from './reconciler.js';
import type { ClientStatus } from './status.js';

const NAME = 'acme';
const NS = 'vigie-acme';
const UID = 'acme-uid';
const STATUS_PATH = `${objectPath(TYPES.Client, NAME)}/status`;

/** full-store's three cameras, one shard each. */
function spec(change: (s: ClientSpec) => ClientSpec = (s) => s): ClientSpec {
  const base = exampleSpec('full-store');
  return change({ ...base, resources: { ...base.resources, camerasPerShard: 1 } });
}

/** A cache that holds what the test puts in it, indexed by client label as the informers are. */
class FakeCache implements ObjectCache {
  readonly objects = new Map<string, CachedObject>();

  get(key: string): CachedObject | undefined {
    return this.objects.get(key);
  }

  byIndex(value: string): readonly CachedObject[] {
    return [...this.objects.values()].filter((o) => o.metadata.labels?.[CLIENT_LABEL] === value);
  }

  put(object: CachedObject): void {
    this.objects.set(keyOf(object), object);
  }
}

/** One request the reconciler made. */
interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/**
 * A recording API: it answers each write with the object written and a new resourceVersion,
 * and keeps the result until {@link World.sync} lets the caches see it, as a watch event would.
 * A namespace not in the cache is not found.
 */
class RecordingApi {
  readonly requests: Recorded[] = [];
  /** Every status written, oldest first. */
  readonly statuses: ClientStatus[] = [];
  /** What the writes left, by path; undefined for a deleted object. */
  readonly written = new Map<string, { kind: string; object: CachedObject | undefined }>();
  private version = 100;

  request<T = Record<string, unknown>>(path: string, init: RequestInit = {}): Promise<T> {
    const method = init.method ?? 'GET';
    this.requests.push({ method, path, body: init.body });
    if (path === STATUS_PATH) this.statuses.push((init.body as { status: ClientStatus }).status);
    if (method === 'GET') {
      return Promise.reject(new KubeApiError(404, 'NotFound', `${path} not found`));
    }
    const body = (init.body ?? {}) as CachedObject;
    if (method === 'DELETE') {
      this.written.set(path, { kind: '', object: undefined });
      return Promise.resolve({} as T);
    }
    const stored: CachedObject = {
      ...body,
      metadata: {
        ...body.metadata,
        uid: `${body.metadata.name}-uid`,
        resourceVersion: String(++this.version),
      },
    };
    const at = method === 'POST' ? `${path}/${body.metadata.name}` : path;
    this.written.set(at, { kind: body.kind ?? '', object: stored });
    return Promise.resolve(stored as unknown as T);
  }

  /** The writes since the last call, as `METHOD path`. */
  takeWrites(): string[] {
    const writes = this.requests.filter((r) => r.method !== 'GET');
    this.requests.length = 0;
    return writes.map((r) => `${r.method} ${r.path}`);
  }

  /** The status last written, if any. */
  lastStatus(): ClientStatus | undefined {
    return this.statuses.at(-1);
  }
}

/** A reconciler over fake caches and a recording API, with one Client. */
class World {
  readonly api = new RecordingApi();
  readonly clients = new FakeCache();
  readonly owned = new Map<OwnedKind, FakeCache>(OWNED_KINDS.map((k) => [k, new FakeCache()]));
  readonly secrets = new FakeCache();
  readonly events: { type: string; reason: string; note: string }[] = [];
  reconciler = this.start();

  /** A reconciler that remembers nothing, as after a restart of the operator. */
  start(): Reconciler {
    return new Reconciler({
      client: this.api,
      caches: {
        clients: this.clients,
        owned: this.owned,
        pods: new FakeCache(),
        secrets: this.secrets,
      },
      settings: DEFAULT_SETTINGS,
      observed: () => NOTHING_OBSERVED,
      events: {
        emit: (_regarding: Regarding, type, reason, note) => {
          this.events.push({ type, reason, note });
        },
      },
      metrics: new OperatorMetrics(),
      log: silentLogger,
    });
  }

  constructor(first: ClientSpec) {
    this.clients.put({
      apiVersion: 'vigie.dev/v1alpha1',
      kind: 'Client',
      metadata: { name: NAME, uid: UID, generation: 1 },
      spec: first,
    });
  }

  get client(): ClientObject {
    return this.clients.get(NAME) as ClientObject;
  }

  /** A new spec, as `kubectl apply` would write it. */
  setSpec(next: ClientSpec): void {
    const client = this.client;
    this.clients.put({
      ...client,
      metadata: { ...client.metadata, generation: (client.metadata.generation ?? 0) + 1 },
      spec: next,
    });
  }

  /** The caches catch up with every write. */
  sync(): void {
    for (const [path, { kind, object }] of this.api.written) {
      if (path === STATUS_PATH) {
        const status = (object as unknown as { status: ClientStatus }).status;
        this.clients.put({ ...this.client, status });
        continue;
      }
      const cache = kind === 'Secret' ? this.secrets : this.owned.get(kind as OwnedKind);
      if (object !== undefined) cache?.put(object);
      else for (const each of [...this.owned.values(), this.secrets]) deleteAt(each, path);
    }
    this.api.written.clear();
  }

  /** Reconciles and syncs until a reconcile writes nothing: the steady state. */
  async settle(): Promise<void> {
    for (let round = 0; round < 4; round++) {
      await this.reconciler.reconcile(NAME);
      this.sync();
      if (this.api.takeWrites().length === 0) {
        this.events.length = 0;
        return;
      }
    }
    assert.fail('the reconciler never stopped writing');
  }

  /** Replaces a cached object, as a hand edit seen by the watch would. */
  edit(kind: OwnedKind, key: string, change: (o: CachedObject) => CachedObject): void {
    const cache = this.owned.get(kind);
    const object = cache?.get(key);
    assert.ok(cache && object, `${kind} ${key} is cached`);
    cache.put(change(object));
  }
}

function deleteAt(cache: FakeCache, path: string): void {
  for (const [key, object] of cache.objects) {
    const kind = Object.values(TYPES).find((t) => t.kind === object.kind);
    if (
      kind !== undefined &&
      objectPath(kind, object.metadata.name, object.metadata.namespace) === path
    )
      cache.objects.delete(key);
  }
}

/** The path each desired object of `s` is applied at. */
function desiredPaths(s: ClientSpec): string[] {
  return desired(
    { metadata: { name: NAME, uid: UID }, spec: s },
    DEFAULT_SETTINGS,
    NOTHING_OBSERVED,
    planClient(NAME, s),
  ).map((o) => objectPath(TYPES[o.kind as OwnedKind], o.metadata.name, o.metadata.namespace));
}

const path = (kind: OwnedKind, name: string) => objectPath(TYPES[kind], name, NS);
const sorted = (list: readonly string[]) => [...list].sort();

describe('Reconciler', () => {
  it('creates a new Client: its namespace, then its ingest token, then its objects, then its status', async () => {
    const world = new World(spec());
    assert.deepEqual(await world.reconciler.reconcile(NAME), {});

    const writes = world.api.takeWrites();
    const [namespace, ...contents] = desiredPaths(spec());
    assert.equal(writes[0], `PATCH ${namespace ?? ''}`);
    assert.equal(writes[1], `POST ${collectionPath(TYPES.Secret, NS)}`);
    assert.deepEqual(sorted(writes.slice(2, -1)), sorted(contents.map((p) => `PATCH ${p}`)));
    assert.equal(writes.at(-1), `PATCH ${STATUS_PATH}`);
    assert.ok(contents.includes(path('Deployment', 'detector-shard-2')));

    const accepted = world.api.lastStatus()?.conditions.find((c) => c.type === 'Accepted');
    assert.equal(accepted?.status, 'True');
    assert.deepEqual(
      world.events.filter((e) => e.reason === 'ShardsCreated').map((e) => e.note),
      [
        'created detector-shard-0, detector-shard-1, detector-shard-2 with their ConfigMaps and Services',
      ],
    );
  });

  it('writes nothing once the caches hold what it wrote, also after a restart', async () => {
    const world = new World(spec());
    await world.settle();
    assert.deepEqual(await world.reconciler.reconcile(NAME), {});
    assert.deepEqual(world.api.takeWrites(), []);
    world.reconciler = world.start();
    assert.deepEqual(await world.reconciler.reconcile(NAME), {});
    assert.deepEqual(world.api.takeWrites(), []);
    assert.deepEqual(world.events, []);
  });

  it('applies a config-only change to the ConfigMaps alone, leaving the Deployments be', async () => {
    const world = new World(spec());
    await world.settle();
    world.setSpec(spec((s) => ({ ...s, detection: { ...s.detection, sensitivity: 'high' } })));
    await world.reconciler.reconcile(NAME);

    assert.deepEqual(
      sorted(world.api.takeWrites()),
      sorted([
        `PATCH ${STATUS_PATH}`,
        `PATCH ${path('ConfigMap', 'detector-shard-0')}`,
        `PATCH ${path('ConfigMap', 'detector-shard-1')}`,
        `PATCH ${path('ConfigMap', 'detector-shard-2')}`,
      ]),
    );
    assert.equal(world.api.lastStatus()?.observedGeneration, 2);
    assert.deepEqual(
      world.events.map((e) => e.reason),
      [],
    );
  });

  it('puts back an object changed or deleted behind its back, and writes no other', async () => {
    const world = new World(spec());
    await world.settle();
    world.edit('Service', `${NS}/detector-shard-1`, (o) => ({
      ...o,
      metadata: { ...o.metadata, resourceVersion: '9001' },
      spec: { ports: [{ name: 'metrics', port: 1, targetPort: 1 }] },
    }));
    world.owned.get('ConfigMap')?.objects.delete(`${NS}/detector-shard-0`);
    await world.reconciler.reconcile(NAME);

    assert.deepEqual(sorted(world.api.takeWrites()), [
      `PATCH ${path('ConfigMap', 'detector-shard-0')}`,
      `PATCH ${path('Service', 'detector-shard-1')}`,
    ]);
    assert.deepEqual(
      sorted(world.events.filter((e) => e.reason === 'DriftRepaired').map((e) => e.note)),
      [
        `ConfigMap ${NS}/detector-shard-0 was deleted outside Vigie and has been put back`,
        `Service ${NS}/detector-shard-1 was changed outside Vigie and has been put back`,
      ],
    );
  });

  it('does not write again an object the server normalised after its own write', async () => {
    const world = new World(spec());
    await world.settle();
    // Same resourceVersion as the operator's own apply returned: the server's defaulting, not
    // a change by someone else.
    world.edit('Service', `${NS}/detector-shard-0`, (o) => ({
      ...o,
      spec: { ...(o.spec as object), ports: [{ name: 'metrics', port: 9464, targetPort: 9464 }] },
    }));
    await world.reconciler.reconcile(NAME);
    assert.deepEqual(world.api.takeWrites(), []);
  });

  it('keeps the last good workloads of a rejected Client, and says why in its status', async () => {
    const world = new World(spec());
    await world.settle();
    // Two cameras share an ID: the config model's semantic checks refuse it.
    world.setSpec(
      spec((s) => ({ ...s, cameras: s.cameras.map((c) => ({ ...c, id: 'entrance' })) })),
    );
    assert.deepEqual(await world.reconciler.reconcile(NAME), {});

    assert.deepEqual(world.api.takeWrites(), [`PATCH ${STATUS_PATH}`]);
    const accepted = world.api.lastStatus()?.conditions.find((c) => c.type === 'Accepted');
    assert.equal(accepted?.status, 'False');
    assert.equal(accepted.reason, 'InvalidSpec');
    assert.match(accepted.message, /VIGIE_E_DUPLICATE_ID/);
    // Accepted and Degraded both say so; nothing is said about the workloads.
    assert.deepEqual(
      new Set(world.events.map((e) => `${e.type} ${e.reason}`)),
      new Set(['Warning InvalidSpec']),
    );
  });

  it('deletes the objects of a shard no longer planned, and only those it owns', async () => {
    const world = new World(spec());
    await world.settle();
    // Labelled as the client's, but made by someone else: not the operator's to delete.
    world.owned.get('ConfigMap')?.put({
      kind: 'ConfigMap',
      metadata: {
        name: 'notes',
        namespace: NS,
        labels: { [CLIENT_LABEL]: NAME },
        ownerReferences: [{ uid: 'someone-else', kind: 'Client' }],
      },
    });
    world.setSpec(spec((s) => ({ ...s, resources: { ...s.resources, camerasPerShard: 4 } })));
    await world.reconciler.reconcile(NAME);

    const deletes = world.api.requests.filter((r) => r.method === 'DELETE');
    assert.deepEqual(
      sorted(deletes.map((r) => r.path)),
      [
        path('ConfigMap', 'detector-shard-1'),
        path('ConfigMap', 'detector-shard-2'),
        path('Service', 'detector-shard-1'),
        path('Service', 'detector-shard-2'),
        path('Deployment', 'detector-shard-1'),
        path('Deployment', 'detector-shard-2'),
      ].sort(),
    );
    // Deleted only if it is still the object the cache saw.
    const shard2 = deletes.find((r) => r.path === path('Deployment', 'detector-shard-2'));
    assert.deepEqual((shard2?.body as { preconditions: unknown }).preconditions, {
      uid: 'detector-shard-2-uid',
    });
    assert.equal(world.events.filter((e) => e.reason === 'Pruned').length, 6);
  });

  it('takes no namespace it does not own, and looks again later', async () => {
    const world = new World(spec());
    world.owned.get('Namespace')?.put({
      kind: 'Namespace',
      metadata: { name: NS, ownerReferences: [{ uid: 'someone-else', kind: 'Client' }] },
    });
    assert.deepEqual(await world.reconciler.reconcile(NAME), { requeueAfterMs: TERMINAL_RETRY_MS });
    assert.deepEqual(world.api.takeWrites(), [`PATCH ${STATUS_PATH}`]);
    const degraded = world.api.lastStatus()?.conditions.find((c) => c.type === 'Degraded');
    assert.equal(degraded?.reason, 'NamespaceConflict');
  });
});
