/**
 * The production console as it runs in a pod: the real `vigie-console` process on Debian's
 * PostgreSQL, fake-gcs-server for the buckets, and a real API server, with only the
 * permissions of the ClusterRole shipped in deploy/console. It lists Clients with their health
 * and the problems of a refused upload, takes a detector's alert with the token whose digest
 * the operator put in the status, keeps evidence in the bucket, serves metrics on their own
 * port, and stops on SIGTERM. It holds against hostile clients as `vigie up` does: callers
 * without a token cost no body, tenants' alert keys stay apart, bad values are 4xx, repeated
 * posts write nothing to the bucket, what a failed post left there is swept, and people sign
 * in through an OIDC issuer only with a verified email, an expiry and no future issue time.
 */

import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Storage } from '@google-cloud/storage';
import {
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { buildClientCrd, CLIENT_SCHEMA, parseClientConfig, toClientResource } from '@vigie/config';
import type { ControlPlane, FakeGcs } from '@vigie/testenv';
import {
  freePort,
  installCrd,
  repoRoot,
  startControlPlane,
  startFakeGcs,
  toolsBinDir,
} from '@vigie/testenv';
import type { Postgres } from '@vigie/testpg';
import { startPostgres } from '@vigie/testpg';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { parseAllDocuments } from 'yaml';
import { generateCertificate } from './notify/testing/fixtures.js';
import { migrate } from './storage/db.js';
import { createGcsEvidenceStore, evidenceKey } from './storage/evidence.js';
import { beginUpload, sweepUploads } from './storage/uploads.js';
import { createApiToken, setUser } from './storage/people.js';
import { createPostgresSql } from './storage/postgres.js';
import { alertEnvelope, secret, TINY_JPEG } from './testing/fixtures.js';

const BIN = join(repoRoot(), 'apps/console/bin/vigie-console.js');
let cp: ControlPlane;
let gcs: FakeGcs;
let pg: Postgres;
let storage: Storage;
let child: ChildProcessWithoutNullStreams | undefined;
let output = '';
/** The public ID of the first alert the production console stored. */
let prod1 = '';
const ports = { api: 0, metrics: 0 };
const ingestToken = secret();
const globexToken = secret();
let adminToken = '';
let globexViewer = '';
/** The OIDC issuer the console trusts: its keys are served over HTTPS on loopback. */
const OIDC = { issuer: 'https://accounts.vigie.test', audience: 'vigie-console' };
let oidcKey: CryptoKey;
let jwks: HttpsServer | undefined;
const tlsDir = mkdtempSync(join(tmpdir(), 'vigie-console-oidc-'));

/** An ID token from the trusted issuer, with `claims` over sane defaults. */
async function idToken(claims: JWTPayload, options: { iat?: number; exp?: number | null } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ email_verified: true, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'test' })
    .setIssuer(OIDC.issuer)
    .setAudience(OIDC.audience)
    .setIssuedAt(options.iat ?? now);
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now + 600);
  return jwt.sign(oidcKey);
}

const MiB = 1024 * 1024;

/** Posts `total` bytes without a token on a raw socket; stops sending when answered. */
async function postUnauthenticated(
  port: number,
  path: string,
  total: number,
): Promise<{ status: number; sent: number }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {
    // The console closes the connection after its answer.
  });
  await once(socket, 'connect');
  let sent = 0;
  const state = { answered: false };
  const head = new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', (data: Buffer) => {
      state.answered = true;
      text += data.toString('latin1');
      if (text.includes('\r\n')) resolve(text);
    });
    socket.on('close', () => {
      reject(new Error(`closed unanswered after ${String(sent)} bytes`));
    });
  });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${String(total)}\r\n\r\n`,
  );
  const chunk = Buffer.from(`[${'{"a":1},'.repeat(MiB / 8)}`).subarray(0, MiB);
  void (async () => {
    while (sent < total && !state.answered && !socket.destroyed) {
      sent += chunk.length;
      if (!socket.write(chunk)) {
        await new Promise((resolve) => {
          socket.once('drain', resolve);
          socket.once('close', resolve);
        });
      }
    }
  })();
  const text = await head;
  socket.destroy();
  return { status: Number(text.slice(9, 12)), sent };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 240; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // Not yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}\n${output}`);
}

const condition = (type: string, status: string, reason: string, message: string) => ({
  type,
  status,
  reason,
  message,
  observedGeneration: 1,
  lastTransitionTime: '2026-11-26T10:00:00Z',
});

before(async () => {
  [cp, gcs, pg] = await Promise.all([
    startControlPlane({ binDir: toolsBinDir(process.env), controllers: false }),
    startFakeGcs({ binDir: toolsBinDir(process.env) }),
    startPostgres(),
  ]);
  await installCrd(cp.kubeconfig, buildClientCrd(CLIENT_SCHEMA));
  const admin = new KubeConfig();
  admin.loadFromString(cp.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(admin);
  const apply = (object: object) =>
    objects.patch(object, undefined, undefined, 'vigie-test', true, PatchStrategy.ServerSideApply);
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vigie-system' } });
  const manifest = readFileSync(join(repoRoot(), 'deploy/console/rbac.yaml'), 'utf8');
  for (const doc of parseAllDocuments(manifest)) await apply(doc.toJS() as object);
  // The console runs as a test user holding exactly the shipped ClusterRole.
  await apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'vigie-console-test' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'vigie-console' },
    subjects: [{ kind: 'User', name: 'vigie-test-user-0', apiGroup: 'rbac.authorization.k8s.io' }],
  });

  // A store the operator has reconciled: one camera down, the token's digest in the status.
  const config = parseClientConfig(`<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="acme" name="Acme Store" timezone="Europe/Paris">
  <contact name="Ana" email="ana@acme.example"/>
  <cameras>
    <camera id="aisle" name="Cosmetics aisle"><stream url="rtsp://10.0.0.5/1"/></camera>
    <camera id="door" name="Front door"><stream url="rtsp://10.0.0.6/1"/></camera>
  </cameras>
</client>`);
  assert.ok(config.ok);
  await apply(
    toClientResource(config.config, {
      bucket: 'configs',
      object: 'client-configs/acme.xml',
      generation: '5',
    }),
  );
  const customs = admin.makeApiClient(CustomObjectsApi);
  const current = (await customs.getClusterCustomObject({
    group: 'vigie.dev',
    version: 'v1alpha1',
    plural: 'clients',
    name: 'acme',
  })) as Record<string, unknown>;
  await customs.replaceClusterCustomObjectStatus({
    group: 'vigie.dev',
    version: 'v1alpha1',
    plural: 'clients',
    name: 'acme',
    body: {
      ...current,
      status: {
        conditions: [
          condition('Ready', 'True', 'AllShardsReady', 'every shard is ready'),
          condition('Degraded', 'True', 'CameraDown', 'camera door is down'),
        ],
        cameras: [
          { id: 'aisle', state: 'Up' },
          {
            id: 'door',
            state: 'Down',
            reason: 'VIGIE_E_STREAM_UNREACHABLE',
            message: 'connection refused',
          },
        ],
        ingestTokenSha256: createHash('sha256').update(ingestToken).digest('hex'),
      },
    },
  });

  // A second tenant, reconciled with its own token.
  const globex = parseClientConfig(`<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="globex" name="Globex" timezone="Europe/Paris">
  <contact name="Gus" email="gus@globex.example"/>
  <cameras>
    <camera id="till" name="Till"><stream url="rtsp://10.0.1.5/1"/></camera>
  </cameras>
</client>`);
  assert.ok(globex.ok);
  await apply(
    toClientResource(globex.config, {
      bucket: 'configs',
      object: 'client-configs/globex.xml',
      generation: '2',
    }),
  );
  const globexNow = (await customs.getClusterCustomObject({
    group: 'vigie.dev',
    version: 'v1alpha1',
    plural: 'clients',
    name: 'globex',
  })) as Record<string, unknown>;
  await customs.replaceClusterCustomObjectStatus({
    group: 'vigie.dev',
    version: 'v1alpha1',
    plural: 'clients',
    name: 'globex',
    body: {
      ...globexNow,
      status: {
        conditions: [condition('Ready', 'True', 'AllShardsReady', 'every shard is ready')],
        cameras: [{ id: 'till', state: 'Up' }],
        ingestTokenSha256: createHash('sha256').update(globexToken).digest('hex'),
      },
    },
  });

  // A refused upload of a store that never had a valid config, as the function reports it.
  storage = new Storage({ apiEndpoint: gcs.endpoint, projectId: 'vigie-test' });
  await storage.createBucket('configs');
  await storage.createBucket('evidence');
  await storage
    .bucket('configs')
    .file('client-configs/newshop.xml.report.json')
    .save(
      JSON.stringify({
        apiVersion: 'vigie.dev/v1alpha1',
        kind: 'ConfigReport',
        bucket: 'configs',
        object: 'client-configs/newshop.xml',
        generation: '9',
        client: 'newshop',
        status: 'Rejected',
        checkedAt: '2026-11-26T10:00:00Z',
        problems: [
          {
            code: 'VIGIE_E_ZONE_SELF_INTERSECTS',
            message: 'zone "shelf" crosses itself',
            line: 12,
            column: 9,
            text: '12:9 VIGIE_E_ZONE_SELF_INTERSECTS zone "shelf" crosses itself',
          },
        ],
      }),
      { resumable: false, contentType: 'application/json' },
    );

  // The admin's API token, made as an operator of the platform would.
  const sql = createPostgresSql({ connectionString: pg.url });
  await migrate(sql);
  adminToken = await createApiToken(sql, { subject: 'ops', role: 'admin', clients: '*' });
  globexViewer = await createApiToken(sql, {
    subject: 'gus@globex.example',
    role: 'viewer',
    clients: ['globex'],
  });
  // A person who signs in through the OIDC issuer.
  await setUser(sql, { subject: 'ana@acme.example', role: 'viewer', clients: ['acme'] });
  await sql.close();

  // The OIDC issuer's keys, over HTTPS with a certificate made for this run.
  const tls = generateCertificate();
  writeFileSync(join(tlsDir, 'ca.pem'), tls.cert);
  const pair = await generateKeyPair('ES256');
  oidcKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
  const server = createHttpsServer(tls, (_req, res) => {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [publicJwk] }));
  });
  jwks = server;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const jwksUrl = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}/jwks`;

  ports.api = await freePort();
  ports.metrics = await freePort();
  child = spawn(process.execPath, [BIN], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: await cp.kubeconfigFor('user-0'),
      DATABASE_URL: pg.url,
      VIGIE_EVIDENCE_BUCKET: 'evidence',
      VIGIE_CONFIG_BUCKET: 'configs',
      VIGIE_STORAGE_ENDPOINT: gcs.endpoint,
      GOOGLE_CLOUD_PROJECT: 'vigie-test',
      PORT: String(ports.api),
      VIGIE_METRICS_PORT: String(ports.metrics),
      VIGIE_AUTH: 'oidc',
      VIGIE_OIDC_ISSUER: OIDC.issuer,
      VIGIE_OIDC_AUDIENCE: OIDC.audience,
      VIGIE_OIDC_JWKS_URL: jwksUrl,
      NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.pem'),
    },
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await eventually('the console to be ready', async () => {
    const response = await fetch(`http://127.0.0.1:${String(ports.metrics)}/readyz`);
    return response.ok ? true : undefined;
  });
});

after(async () => {
  child?.kill('SIGKILL');
  jwks?.close();
  rmSync(tlsDir, { recursive: true, force: true });
  await Promise.allSettled([cp.stop(), gcs.stop(), pg.stop()]);
});

const api = (path: string, init: RequestInit = {}, token = adminToken) =>
  fetch(`http://127.0.0.1:${String(ports.api)}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });

describe('vigie-console in production shape', () => {
  it('shows clients with camera health, and a refused upload with its problems', async () => {
    const body = (await (await api('/api/v1/clients')).json()) as {
      clients: {
        name: string;
        state: string;
        cameras: { camera: string; name: string; state: string; code?: string }[];
        lastReport?: { problems: { code: string; line: number }[] };
      }[];
    };
    const acme = body.clients.find((c) => c.name === 'acme');
    assert.equal(acme?.state, 'Degraded');
    assert.deepEqual(
      acme.cameras.map((c) => [c.name, c.state, c.code]),
      [
        ['Cosmetics aisle', 'Up', undefined],
        ['Front door', 'Down', 'VIGIE_E_STREAM_UNREACHABLE'],
      ],
    );
    const newshop = body.clients.find((c) => c.name === 'newshop');
    assert.equal(newshop?.state, 'Rejected');
    assert.deepEqual(
      newshop.lastReport?.problems.map((p) => [p.code, p.line]),
      [['VIGIE_E_ZONE_SELF_INTERSECTS', 12]],
    );
  });

  it("takes an alert with the tenant's token, and keeps its evidence in the bucket", async () => {
    const posted = await api(
      '/api/v1/ingest/alerts',
      { method: 'POST', body: JSON.stringify(alertEnvelope('prod-1')) },
      ingestToken,
    );
    const postedText = await posted.text();
    assert.equal(posted.status, 201, postedText);
    const forged = await api(
      '/api/v1/ingest/alerts',
      { method: 'POST', body: JSON.stringify(alertEnvelope('prod-2')) },
      secret(),
    );
    assert.equal(forged.status, 401);
    const [files] = await storage.bucket('evidence').getFiles({ prefix: 'evidence/acme/prod-1/' });
    assert.equal(files.length, 1);
    prod1 = (JSON.parse(postedText) as { id: string }).id;
    const snapshot = await api(`/api/v1/alerts/${prod1}/evidence/snapshot`);
    assert.deepEqual(Buffer.from(await snapshot.arrayBuffer()), TINY_JPEG);
    const clip = await fetch(
      `http://127.0.0.1:${String(ports.api)}/api/v1/ingest/alerts/prod-1/clip`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'video/mp4' },
        body: Buffer.from('mp4 bytes'),
      },
    );
    assert.equal(clip.status, 201, await clip.text());
    const served = await api(`/api/v1/alerts/${prod1}/evidence/clip`);
    assert.equal(await served.text(), 'mp4 bytes');
  });

  it('serves metrics on their own port only', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${String(ports.metrics)}/metrics`)).text();
    assert.match(metrics, /vigie_console_ingested_total\{kind="alert",result="stored"\} 1/);
    assert.match(metrics, /vigie_console_http_requests_total/);
    // The refused upload is a metric too, for the ConfigRejected alert rule.
    assert.match(metrics, /vigie_console_client_state\{client="newshop",state="Rejected"\} 1/);
    assert.match(metrics, /vigie_console_client_state\{client="acme",state="Degraded"\} 1/);
    assert.equal((await api('/metrics')).status, 404);
  });

  it('answers callers without a token before their body, with bounded memory', async () => {
    const pid = child?.pid;
    assert.ok(pid !== undefined);
    const rss = () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1]) *
      1024;
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        postUnauthenticated(ports.api, '/api/v1/ingest/alerts', 64 * MiB),
      ),
    );
    clearInterval(sampler);
    for (const answer of answers) {
      assert.equal(answer.status, 401);
      assert.ok(answer.sent < 64 * MiB, `the whole body was taken: ${String(answer.sent)}`);
    }
    assert.ok(peak - before < 64 * MiB, `RSS grew by ${String((peak - before) / MiB)} MiB`);
  });

  it("keeps tenants' alert keys apart, refuses what it cannot store, and writes nothing twice", async () => {
    const post = (body: unknown, token: string) =>
      api('/api/v1/ingest/alerts', { method: 'POST', body: JSON.stringify(body) }, token);
    // Globex posts acme's key: stored as its own, and neither tenant learns of the other.
    const theirs = await post(
      alertEnvelope('prod-1', { client: 'globex', camera: 'till' }),
      globexToken,
    );
    const theirsText = await theirs.text();
    assert.equal(theirs.status, 201, theirsText);
    const theirsId = (JSON.parse(theirsText) as { id: string }).id;
    assert.notEqual(theirsId, prod1);
    assert.equal((await api(`/api/v1/alerts/${prod1}`, {}, globexViewer)).status, 404);
    assert.equal((await api(`/api/v1/alerts/${theirsId}`, {}, globexViewer)).status, 200);
    // Re-posts of a stored alert with new snapshots write nothing to the bucket.
    for (let i = 0; i < 5; i++) {
      const again = alertEnvelope('prod-1');
      again.snapshot.data = Buffer.alloc(64 * 1024, i).toString('base64');
      assert.equal((await post(again, ingestToken)).status, 409);
    }
    const [files] = await storage.bucket('evidence').getFiles({ prefix: 'evidence/acme/prod-1/' });
    assert.equal(files.length, 2, 'the snapshot and the clip, nothing more');
    // Values PostgreSQL cannot hold, and fields beyond the envelope's limits, are 4xx.
    const nul = alertEnvelope('prod-nul');
    nul.alert.explanation = 'reached\0';
    const refusedNul = await post(nul, ingestToken);
    assert.equal(refusedNul.status, 400);
    assert.equal(((await refusedNul.json()) as { code: string }).code, 'VIGIE_E_UNSTORABLE');
    const long = alertEnvelope('prod-long');
    long.alert.explanation = 'x'.repeat(20 * MiB);
    assert.equal((await post(long, ingestToken)).status, 413);
    const [left] = await storage.bucket('evidence').getFiles({ prefix: 'evidence/acme/prod-' });
    assert.deepEqual(
      left.map((f) => f.name.split('/')[2]),
      ['prod-1', 'prod-1'],
    );
  });

  it('sweeps from the bucket what a failed post left there, and nothing a row refers to', async () => {
    const sql = createPostgresSql({ connectionString: pg.url });
    try {
      const evidence = createGcsEvidenceStore(storage, 'evidence');
      const orphan = evidenceKey('acme', 'prod-failed', 'snapshot', 'f'.repeat(64));
      await beginUpload(sql, orphan, 'acme');
      await evidence.put(orphan, TINY_JPEG, 'image/jpeg');
      const [kept] = await storage.bucket('evidence').getFiles({ prefix: 'evidence/acme/prod-1/' });
      for (const file of kept) await beginUpload(sql, file.name.slice('evidence/'.length), 'acme');
      const result = await sweepUploads(sql, evidence, { graceSeconds: 0 });
      assert.deepEqual(result, { deleted: 1, kept: 2 });
      assert.equal(await evidence.get(orphan), undefined);
      const [still] = await storage
        .bucket('evidence')
        .getFiles({ prefix: 'evidence/acme/prod-1/' });
      assert.equal(still.length, 2);
    } finally {
      await sql.close();
    }
  });

  it('signs people in with verified OIDC identities only, and keeps them to their clients', async () => {
    const me = async (token: string) =>
      fetch(`http://127.0.0.1:${String(ports.api)}/api/v1/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const signedIn = await me(await idToken({ email: 'ana@acme.example' }));
    assert.equal(signedIn.status, 200, await signedIn.clone().text());
    assert.equal(((await signedIn.json()) as { subject: string }).subject, 'ana@acme.example');
    const now = Math.floor(Date.now() / 1000);
    const refused: [string, string][] = [
      ['an unverified email', await idToken({ email: 'ana@acme.example', email_verified: false })],
      [
        'no email_verified claim',
        await idToken({ email: 'ana@acme.example', email_verified: undefined }),
      ],
      ['no exp', await idToken({ email: 'ana@acme.example' }, { exp: null })],
      ['issued in the future', await idToken({ email: 'ana@acme.example' }, { iat: now + 3600 })],
      ['an email nobody granted', await idToken({ email: 'eve@example.com' })],
    ];
    for (const [what, token] of refused) {
      const reply = await me(token);
      assert.equal(reply.status, 401, what);
      assert.equal(((await reply.json()) as { code: string }).code, 'VIGIE_E_UNAUTHENTICATED');
    }
    const ana = await idToken({ email: 'ana@acme.example' });
    const open = (id: string) =>
      fetch(`http://127.0.0.1:${String(ports.api)}/api/v1/alerts/${id}`, {
        headers: { authorization: `Bearer ${ana}` },
      });
    assert.equal((await open(prod1)).status, 200);
    const [globexAlert] = (
      (await (await api('/api/v1/alerts?client=globex')).json()) as { alerts: { id: string }[] }
    ).alerts;
    assert.ok(globexAlert);
    assert.equal((await open(globexAlert.id)).status, 404);
  });

  it('stops cleanly on SIGTERM', async () => {
    assert.ok(child);
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.doesNotMatch(output, /"severity":"ERROR"/);
  });
});
