#!/usr/bin/env node
// Benchmark: unauthenticated large bodies against the console (on PGlite), loopback only.
// N clients at once each post a JSON body of many small objects, with no token, as fast as
// their socket takes it, to POST /api/v1/ingest/alerts. The console runs in a child process;
// this one prints the time until every client had its answer, the answers, and the console's
// RSS before and at its peak (sampled every 10 ms). Needs `npm run build`. Asserts nothing.
import { Buffer } from 'node:buffer';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { clearInterval, setInterval } from 'node:timers';
import { parseArgs } from 'node:util';

const USAGE = `Usage: node bench/console-hostile.js [options]

  --clients N   requests at once (default 16, at most 256)
  --mib S       each body's declared size in MiB (default 64, at most 1024)
  --help        this text`;

const MiB = 1024 * 1024;
const TIME_LIMIT_MS = 60_000;

async function serve() {
  const { PGlite } = await import('@electric-sql/pglite');
  const { buildApp } = await import('../apps/console/dist/app.js');
  const { migrate } = await import('../apps/console/dist/storage/db.js');
  const { createPgliteSql } = await import('../apps/console/dist/storage/pglite.js');
  const sql = createPgliteSql(new PGlite());
  await migrate(sql);
  const app = buildApp({
    sql,
    evidence: { put: async () => {}, get: async () => undefined },
    directory: { list: async () => [] },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('message', (message) => {
    if (message === 'rss') process.send?.({ rss: process.memoryUsage().rss });
    if (message === 'stop')
      void app
        .close()
        .then(() => sql.close())
        .then(() => process.exit(0));
  });
  process.send?.({ port: app.server.address().port, rss: process.memoryUsage().rss });
}

/** One request without a token; resolves with the status when the answer's head arrives. */
async function post(port, total, chunk) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  let answered = false;
  let sent = 0;
  const status = new Promise((resolve) => {
    let text = '';
    socket.on('data', (data) => {
      answered = true;
      text += data.toString('latin1');
      if (text.includes('\r\n')) resolve(Number(text.slice(9, 12)));
    });
    socket.on('close', () => resolve(answered ? Number(text.slice(9, 12)) : 'closed'));
  });
  socket.write(
    `POST /api/v1/ingest/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${String(total)}\r\n\r\n`,
  );
  while (sent < total && !answered && !socket.destroyed) {
    const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
    sent += piece.length;
    if (!socket.write(piece)) {
      await new Promise((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
  const result = await status;
  socket.destroy();
  return { status: result, sent };
}

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '16' },
      mib: { type: 'string', default: '64' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const clients = Math.min(256, Math.max(1, Number(values.clients)));
  const mib = Math.min(1024, Math.max(1, Number(values.mib)));
  const child = fork(new URL(import.meta.url).pathname, ['--serve'], { stdio: 'inherit' });
  const [ready] = await once(child, 'message');
  const port = ready.port;
  let peak = ready.rss;
  const onRss = (message) => {
    if (typeof message.rss === 'number') peak = Math.max(peak, message.rss);
  };
  child.on('message', onRss);
  const sampler = setInterval(() => child.send('rss'), 10);
  const chunk = Buffer.from(`[${'{"a":1},'.repeat(MiB / 8)}`);
  const start = performance.now();
  const deadline = new Promise((resolve) =>
    setTimeout(() => resolve('time limit'), TIME_LIMIT_MS).unref(),
  );
  const results = await Promise.race([
    Promise.all(Array.from({ length: clients }, () => post(port, mib * MiB, chunk))),
    deadline,
  ]);
  const elapsed = performance.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 100));
  clearInterval(sampler);
  const statuses = {};
  const sent = Array.isArray(results) ? results.reduce((sum, r) => sum + r.sent, 0) : NaN;
  if (Array.isArray(results)) {
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  }
  console.log(`clients            ${String(clients)}, each declaring ${String(mib)} MiB, no token`);
  console.log(
    `all answered in    ${elapsed.toFixed(1)} ms${Array.isArray(results) ? '' : ' (time limit)'}`,
  );
  console.log(`answers            ${JSON.stringify(statuses)}`);
  console.log(
    `bytes handed to sockets before the answers (kernel buffers included) ${(sent / MiB).toFixed(1)} MiB`,
  );
  console.log(
    `console RSS        ${(ready.rss / MiB).toFixed(1)} MiB at start, ${(peak / MiB).toFixed(1)} MiB at peak`,
  );
  child.send('stop');
  await once(child, 'exit');
}

if (process.argv.includes('--serve')) await serve();
else await main();
