#!/usr/bin/env node
// Benchmark: the console on a throwaway real PostgreSQL (Debian's), through its HTTP API.
//  1. Ingest: N alerts with a small snapshot posted to POST /api/v1/ingest/alerts by a load
//     generator in a worker thread, C requests in flight over keep-alive connections: alerts/s,
//     request latency p50/p95, and whether the stored count is N.
//  2. Lists with a million alerts stored: the alerts (and their snapshot rows) are bulk-loaded
//     in SQL over 10 clients, 8 cameras each, 4 rules and 3 statuses across 30 days, then
//     GET /api/v1/alerts is timed one request at a time for each kind of list: p50, p95 and max
//     per kind, and the p95 of all of them.
// Needs `npm run build` and the Debian package postgresql. Asserts nothing.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { URLSearchParams } from 'node:url';
import { parseArgs } from 'node:util';
import { startPostgres } from '@vigie/testpg';
import { parseClientConfig } from '../packages/config/dist/index.js';
import { createConsoleService } from '../apps/console/dist/service.js';
import { countAlerts, setIngestToken } from '../apps/console/dist/storage/alerts.js';
import { migrate, select } from '../apps/console/dist/storage/db.js';
import { createFolderEvidenceStore } from '../apps/console/dist/storage/evidence.js';
import { createApiToken } from '../apps/console/dist/storage/people.js';
import { createPostgresSql } from '../apps/console/dist/storage/postgres.js';
import { alertEnvelope } from '../apps/console/dist/testing/fixtures.js';

const USAGE = `Usage: node bench/console.js [options]

  --alerts N        alerts to post in the ingest part (default 20000; 0 skips it)
  --concurrency C   ingest requests in flight (default 64)
  --pool P          the console's PostgreSQL connections (default 10, the store's default)
  --evidence E      where snapshots go, one ingest run each (default folder,memory): folder
                    (as in \`vigie up\`) or memory (the API and PostgreSQL alone, as when a
                    remote bucket does that work)
  --targets T       each client's alert targets (default webhook): webhook (one signed
                    webhook, so each alert also writes its notification row) or none
  --rows R          alerts stored for the list part (default 1000000; 0 skips it)
  --samples S       timed requests per kind of list (default 200)
  --help            this text

Starts its own PostgreSQL (Debian's postgresql package) and console; needs \`npm run build\`.`;

const CLIENTS = Array.from({ length: 10 }, (_, i) => `store-${String(i)}`);
const CAMERAS = Array.from({ length: 8 }, (_, i) => `cam-${String(i)}`);
const RULES = ['concealment', 'exit-without-payment', 'loitering', 'restricted-zone'];
const DAY = 24 * 3600 * 1000;

/** A client as the console's directory shows it, with one webhook target or none. */
function clientView(name, targets) {
  const result = parseClientConfig(`<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="${name}" name="Store ${name}" timezone="Europe/Paris">
  <contact name="Manager" email="manager@${name}.example"/>
  <cameras>${CAMERAS.map((c) => `<camera id="${c}"><stream url="rtsp://10.0.0.9/${c}"/></camera>`).join('')}</cameras>
  ${targets === 'webhook' ? `<alerts><webhook url="https://hooks.${name}.example/vigie" secretRef="hook-key"/></alerts>` : ''}
</client>`);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const { id, ...spec } = result.config;
  return { name: id, displayName: spec.name, spec, state: 'Ready', cameras: [] };
}

/** An HTTP request over a keep-alive agent; resolves to the status and the parsed body. */
function call(agent, port, method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, body: text === '' ? undefined : JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * CPU seconds used so far by this process, by the PostgreSQL server in `dir`, and by the
 * whole machine, from /proc; with `since`, what was used since then. Undefined off Linux.
 */
function cpuSeconds(dir, since) {
  try {
    const ticks = (stat) => {
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 };
    };
    const postmaster = Number(
      readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    let postgres = 0;
    for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const { ppid, cpu } = ticks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        if (Number(pid) === postmaster || ppid === postmaster) postgres += cpu;
      } catch {
        // The process ended meanwhile.
      }
    }
    const [, ...times] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy =
      times.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + Number(t)), 0) /
      100;
    const usage = process.cpuUsage();
    const now = {
      node: (usage.user + usage.system) / 1e6,
      postgres,
      busy,
      at: performance.now() / 1000,
    };
    if (since === undefined) return now;
    const node = now.node - since.node;
    const pgUsed = now.postgres - since.postgres;
    const machine = now.busy - since.busy;
    return {
      node,
      postgres: pgUsed,
      other: Math.max(0, machine - node - pgUsed),
      busy: machine,
      wall: (now.at - since.at) * cpus().length,
    };
  } catch {
    return undefined;
  }
}

/** An evidence store that keeps the bytes in memory. */
function memoryEvidence() {
  const objects = new Map();
  return {
    put: (key, data) => {
      objects.set(key, data);
      return Promise.resolve();
    },
    get: (key) => Promise.resolve(objects.get(key)),
    delete: (key) => {
      objects.delete(key);
      return Promise.resolve();
    },
  };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const ms = (value) => `${value.toFixed(1)} ms`;
const int = (value) => value.toLocaleString('en-US');
const pick = (values) => values[Math.floor(Math.random() * values.length)];

// The ingest load generator is a process of its own, as detectors are: it does not share the
// console's thread, and its CPU time is counted apart.
if (process.argv[2] === '--load-generator') {
  const [{ port, tokens, count, concurrency, detectedAt }] = await once(process, 'message');
  const cpuAtStart = process.cpuUsage();
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = new Float64Array(count);
  const statuses = {};
  const run = Date.now().toString(36);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const client = CLIENTS[i % CLIENTS.length];
        const id = `ingest-${run}-${String(i)}`;
        const body = JSON.stringify(
          alertEnvelope(id, {
            client,
            camera: CAMERAS[i % CAMERAS.length],
            rule: RULES[i % RULES.length],
            detectedAt: new Date(detectedAt + i).toISOString(),
          }),
        );
        const t = performance.now();
        const res = await call(
          agent,
          port,
          'POST',
          '/api/v1/ingest/alerts',
          {
            authorization: `Bearer ${tokens[client]}`,
            'content-type': 'application/json',
            'idempotency-key': id,
          },
          body,
        );
        latencies[i] = performance.now() - t;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const usage = process.cpuUsage(cpuAtStart);
  process.send(
    { latencies: [...latencies], statuses, seconds, cpu: (usage.user + usage.system) / 1e6 },
    () => process.disconnect(),
  );
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      alerts: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '64' },
      pool: { type: 'string', default: '10' },
      evidence: { type: 'string', default: 'folder,memory' },
      targets: { type: 'string', default: 'webhook' },
      rows: { type: 'string', default: '1000000' },
      samples: { type: 'string', default: '200' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.targets !== 'webhook' && values.targets !== 'none') {
    throw new Error('--targets takes webhook or none');
  }
  const evidenceKinds = values.evidence.split(',').filter((e) => e !== '');
  if (evidenceKinds.some((e) => e !== 'folder' && e !== 'memory')) {
    throw new Error('--evidence takes folder, memory or both');
  }
  const options = {
    alerts: Number(values.alerts),
    concurrency: Number(values.concurrency),
    rows: Number(values.rows),
    samples: Number(values.samples),
  };
  const poolSize = Number(values.pool);
  const log = (message) => console.error(`bench: ${message}`);

  log('starting PostgreSQL');
  const pg = await startPostgres();
  const sql = createPostgresSql({ connectionString: pg.url, max: poolSize });
  const evidenceDir = mkdtempSync(join(tmpdir(), 'vigie-bench-evidence-'));
  const apps = [];
  // One app per evidence store, on the same database, as replicas would be.
  const views = CLIENTS.map((c) => clientView(c, values.targets));
  const directory = { list: () => Promise.resolve(views) };
  const start = async (evidence) => {
    // The console as it runs (API and notifier wired, notification rows written with each
    // alert); the delivery loop is not started, so no webhook is sent.
    const { app } = createConsoleService({
      sql,
      evidence: evidence === 'memory' ? memoryEvidence() : createFolderEvidenceStore(evidenceDir),
      directory,
      secrets: { read: () => Promise.resolve(undefined) },
      log: () => undefined,
      // The load is many stores' worth through a few tokens: what is measured is the API and
      // the database, not each tenant's ingest budget.
      ingestBudget: { burstRequests: 1e9, requestsPerMinute: 1e9, burstBytes: 1e15 },
    });
    apps.push(app);
    await app.hub.start();
    await app.listen({ host: '127.0.0.1', port: 0 });
    return app.server.address().port;
  };
  try {
    await migrate(sql);
    const [{ server_version: version }] = await select(sql, 'SHOW server_version');
    console.log(
      `console on PostgreSQL ${version} (fsync on), ${String(poolSize)} pool connections, ${String(cpus().length)} cores; alert targets: ${values.targets === 'webhook' ? 'one webhook per client (a notification row per alert)' : 'none'}`,
    );
    const tokens = {};
    for (const client of CLIENTS) {
      // Generated per run: no token ever lives in the repository.
      tokens[client] = randomBytes(24).toString('hex');
      await setIngestToken(sql, client, tokens[client]);
    }
    const admin = await createApiToken(sql, {
      subject: 'bench@example.com',
      role: 'admin',
      clients: '*',
    });
    const viewer = await createApiToken(sql, {
      subject: 'viewer@example.com',
      role: 'viewer',
      clients: CLIENTS.slice(0, 3),
    });

    if (options.alerts > 0) {
      for (const evidence of evidenceKinds) {
        await ingest({ ...options, port: await start(evidence), evidence, tokens, pg, sql, log });
      }
    }
    if (options.rows > 0) {
      const port = apps.length > 0 ? apps[0].server.address().port : await start('memory');
      await bulkLoad(pg.url, sql, options.rows, log);
      await lists({ port, admin, viewer, samples: options.samples, log, sql });
    }
  } finally {
    for (const app of apps) {
      await app.hub.stop();
      await app.close();
    }
    await sql.close();
    await pg.stop();
    rmSync(evidenceDir, { recursive: true, force: true });
  }
}

/** Posts `alerts` alerts from a load generator process and prints what it took. */
async function ingest({ alerts, concurrency, port, evidence, tokens, pg, sql, log }) {
  log(`posting ${int(alerts)} alerts, ${String(concurrency)} in flight, evidence in ${evidence}`);
  const storedBefore = await countAlerts(sql);
  const generator = fork(new URL(import.meta.url), ['--load-generator'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const before = cpuSeconds(pg.dir);
  generator.send({ port, tokens, count: alerts, concurrency, detectedAt: Date.now() });
  const [result] = await once(generator, 'message');
  const cpu = cpuSeconds(pg.dir, before);
  const { latencies } = result;
  const stored = (await countAlerts(sql)) - storedBefore;
  console.log(
    `ingest, evidence in ${evidence === 'folder' ? 'a folder' : 'memory'} (POST /api/v1/ingest/alerts, real HTTP, keep-alive):`,
  );
  console.log(
    `  ${int(alerts)} alerts in ${result.seconds.toFixed(1)} s: ${int(Math.round(alerts / result.seconds))} alerts/s`,
  );
  console.log(
    `  latency p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, max ${ms(Math.max(...latencies))}`,
  );
  console.log(
    `  statuses ${JSON.stringify(result.statuses)}; stored ${int(stored)} (${stored === alerts ? 'as posted' : `expected ${int(alerts)}`})`,
  );
  if (cpu) {
    const per = (seconds) => `${((seconds * 1000) / alerts).toFixed(2)} ms`;
    const other = Math.max(0, cpu.other - result.cpu);
    console.log(
      `  CPU per alert: console ${per(cpu.node)}, PostgreSQL ${per(cpu.postgres)}, ` +
        `load generator ${per(result.cpu)}, other processes ${per(other)}; ` +
        `the machine was ${String(Math.round((cpu.busy / cpu.wall) * 100))}% busy`,
    );
  }
}

/** Adds alerts (and their snapshot rows) in SQL until `rows` are stored, then VACUUM ANALYZE. */
async function bulkLoad(url, sql, rows, log) {
  const have = await countAlerts(sql);
  const total = Math.max(0, rows - have);
  const chunk = 50_000;
  const end = Date.now() - 3_600_000;
  const start = end - 30 * DAY;
  log(`loading ${int(total)} alerts over 30 days (2 connections, ${int(chunk)} per transaction)`);
  const loader = createPostgresSql({ connectionString: url, max: 2 });
  const started = performance.now();
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      [0, 1].map(async () => {
        while (next < total) {
          const from = next;
          const to = Math.min(total, from + chunk);
          next = to;
          await loader.transaction(async (tx) => {
            // Times grow with n, as alerts arrive, with a few minutes of jitter.
            await tx.query(
              `CREATE TEMP TABLE batch ON COMMIT DROP AS
               SELECT 'bulk-' || lpad(to_hex(n), 8, '0') AS id,
                      ($3::text[])[1 + floor(random() * 10)::int] AS client,
                      ($4::text[])[1 + floor(random() * 8)::int] AS camera,
                      ($5::text[])[1 + floor(random() * 4)::int] AS rule,
                      to_timestamp(($6::float8 + (n::float8 / $7) * $8 + random() * 300000) / 1000)
                        AS at,
                      random() AS r
               FROM generate_series($1::int, $2::int - 1) AS n`,
              [from, to, CLIENTS, CAMERAS, RULES, start, total, 30 * DAY],
            );
            await tx.query(
              `INSERT INTO alerts (id, client, camera, rule, detected_at, received_at, status,
                                   review_note, reviewed_by, reviewed_at, body)
               SELECT id, client, camera, rule, at, at + interval '300 ms', s.status,
                      CASE WHEN s.status <> 'new' THEN 'checked on the recording' END,
                      CASE WHEN s.status <> 'new' THEN 'reviewer@example.com' END,
                      CASE WHEN s.status <> 'new' THEN at + interval '10 minutes' END,
                      jsonb_build_object(
                        'id', id, 'client', client, 'camera', camera,
                        'cameraName', camera || ' camera', 'shard', client || '-0',
                        'rule', rule, 'rules', jsonb_build_array(rule), 'trackId', 3, 't', 12.5,
                        'score', 1.5, 'threshold', 1, 'sensitivity', 'medium',
                        'box', '[100, 80, 220, 400]'::jsonb, 'width', 640, 'height', 480,
                        'firings', '[]'::jsonb, 'evidenceTimes', '[11.2, 12.5]'::jsonb,
                        'detectedAt', at,
                        'explanation', 'The right hand reached into Cosmetics shelf, went to the body 0.4 s later and stayed there for 1.0 s.')
               FROM batch,
                    LATERAL (SELECT CASE WHEN r < 0.9 THEN 'new' WHEN r < 0.97 THEN 'dismissed'
                                         ELSE 'confirmed' END AS status) s`,
            );
            await tx.query(
              `INSERT INTO evidence (alert_id, kind, content_type, object_key, size, sha256)
               SELECT id, 'snapshot', 'image/jpeg',
                      client || '/' || id || '/snapshot-' || md5(id) || md5(id) || '.jpg',
                      1500, md5(id) || md5(id)
               FROM batch`,
            );
          });
          done += to - from;
          const seconds = (performance.now() - started) / 1000;
          log(`loaded ${int(done)} / ${int(total)} (${int(Math.round(done / seconds))} alerts/s)`);
        }
      }),
    );
  } finally {
    await loader.close();
  }
  const loaded = (performance.now() - started) / 1000;
  log('VACUUM ANALYZE');
  const t = performance.now();
  await sql.query('VACUUM (ANALYZE) alerts, evidence');
  const vacuumed = (performance.now() - t) / 1000;
  const [size] = await select(
    sql,
    `SELECT pg_size_pretty(pg_total_relation_size('alerts')) AS alerts,
            pg_size_pretty(pg_total_relation_size('evidence')) AS evidence`,
  );
  console.log(
    `bulk load: ${int(total)} alerts and snapshot rows in ${loaded.toFixed(1)} s, VACUUM ANALYZE ${vacuumed.toFixed(1)} s; ` +
      `${int(await countAlerts(sql))} alerts stored (alerts ${size.alerts} with indexes, evidence ${size.evidence})`,
  );
}

/** Times each kind of list, one request at a time, with random filters for each request. */
async function lists({ port, admin, viewer, samples, log, sql }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const [range] = await select(
    sql,
    'SELECT min(detected_at) AS first, max(detected_at) AS last FROM alerts',
  );
  const first = range.first.getTime();
  const last = range.last.getTime();
  const day = () => {
    const from = first + Math.random() * (last - first - DAY);
    return { from: new Date(from).toISOString(), to: new Date(from + DAY).toISOString() };
  };
  const get = async (query, token = admin) => {
    const path = `/api/v1/alerts?${new URLSearchParams(query).toString()}`;
    const t = performance.now();
    const res = await call(agent, port, 'GET', path, { authorization: `Bearer ${token}` });
    const elapsed = performance.now() - t;
    if (res.status !== 200) throw new Error(`GET ${path}: ${String(res.status)}`);
    return { elapsed, page: res.body };
  };

  const kinds = [
    ['one client, first page', () => ({ client: pick(CLIENTS) })],
    ['one client, pages 2-20 by nextCursor', 'deep'],
    ['one client, by camera', () => ({ client: pick(CLIENTS), camera: pick(CAMERAS) })],
    ['one client, by rule', () => ({ client: pick(CLIENTS), rule: pick(RULES) })],
    ['one client, status confirmed', () => ({ client: pick(CLIENTS), status: 'confirmed' })],
    ['one client, status new', () => ({ client: pick(CLIENTS), status: 'new' })],
    ['one client, one day', () => ({ client: pick(CLIENTS), ...day() })],
    ['all clients (admin), first page', () => ({})],
    ['all clients (admin), one day', () => day()],
    ['all clients (admin), status dismissed', () => ({ status: 'dismissed' })],
    ['all clients (admin), by rule', () => ({ rule: pick(RULES) })],
    ['all clients (admin), by camera', () => ({ camera: pick(CAMERAS) })],
    ['3 clients (viewer), first page', () => ({}), viewer],
    ['3 clients (viewer), status confirmed', () => ({ status: 'confirmed' }), viewer],
  ];

  const results = [];
  for (const [name, query, token] of kinds) {
    log(`timing ${name}`);
    const times = [];
    if (query === 'deep') {
      // Each walk follows nextCursor 19 times from a client's first page.
      const walks = Math.max(1, Math.round(samples / 19));
      for (let w = 0; w < walks + 1; w++) {
        const client = pick(CLIENTS);
        let { page } = await get({ client });
        for (let p = 2; p <= 20 && page.nextCursor; p++) {
          const next = await get({ client, cursor: page.nextCursor });
          // The first walk warms up.
          if (w > 0) times.push(next.elapsed);
          page = next.page;
        }
      }
    } else {
      for (let i = 0; i < 10; i++) await get(query(), token);
      for (let i = 0; i < samples; i++) times.push((await get(query(), token)).elapsed);
    }
    results.push({ name, times });
  }
  agent.destroy();

  console.log(
    'lists (GET /api/v1/alerts, 50 a page, admin token unless said, one request at a time):',
  );
  const width = Math.max(...results.map((r) => r.name.length));
  for (const { name, times } of results) {
    console.log(
      `  ${name.padEnd(width)}  p50 ${ms(percentile(times, 50)).padStart(8)}  p95 ${ms(percentile(times, 95)).padStart(8)}  max ${ms(Math.max(...times)).padStart(8)}  (${String(times.length)} requests)`,
    );
  }
  const all = results.flatMap((r) => r.times);
  console.log(
    `  all kinds: p50 ${ms(percentile(all, 50))}, p95 ${ms(percentile(all, 95))}, max ${ms(Math.max(...all))} (${int(all.length)} requests)`,
  );
}
