/**
 * At-least-once delivery end to end: the detector's real outbox and console sink against the
 * real console, which stops in the middle of a stream of alerts and clips and comes back on the
 * same port and database. Every alert and clip is stored exactly once, under the ID the
 * console issued, and nothing is set aside.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import type { IngestEnvelope } from '@vigie/config';
import type { ConsoleApp } from '@vigie/console';
import {
  buildApp,
  createFolderEvidenceStore,
  createPgliteSql,
  migrate,
  select,
  setIngestToken,
} from '@vigie/console';
import { createConsoleSink, createOutbox } from '@vigie/detector';

const work = mkdtempSync(join(tmpdir(), 'vigie-delivery-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A small real JPEG header is not needed: the console checks the type, not the pixels. */
const SNAPSHOT = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);

function envelope(key: string, i: number): IngestEnvelope {
  return {
    type: 'alert',
    alert: {
      id: key,
      client: 'acme',
      camera: 'aisle',
      cameraName: 'Cosmetics aisle',
      rule: 'concealment',
      rules: ['concealment'],
      detectedAt: new Date(Date.UTC(2026, 10, 30, 9, 0, i)).toISOString(),
      explanation: 'The right hand reached into Cosmetics shelf and went to the body.',
    },
    snapshot: { contentType: 'image/jpeg', data: SNAPSHOT.toString('base64') },
  };
}

describe('alert delivery across a console restart', () => {
  it('stores every alert and clip exactly once, and sets nothing aside', async () => {
    const sql = createPgliteSql(new PGlite());
    await migrate(sql);
    const token = randomBytes(24).toString('hex');
    await setIngestToken(sql, 'acme', token);
    const evidence = createFolderEvidenceStore(join(work, 'evidence'));
    const start = async (port: number): Promise<ConsoleApp> => {
      const app = buildApp({ sql, evidence, directory: { list: () => Promise.resolve([]) } });
      await app.listen({ host: '127.0.0.1', port });
      return app;
    };
    let app = await start(0);
    const port = (app.server.address() as AddressInfo).port;
    const dir = join(work, 'outbox');
    const delivered: string[] = [];
    let refused = 0;
    const outbox = createOutbox({
      dir,
      sink: createConsoleSink({
        consoleUrl: `http://127.0.0.1:${String(port)}`,
        token: () => Promise.resolve(token),
      }),
      minBackoffMs: 20,
      maxBackoffMs: 200,
      onAttempt: (event) => {
        if (event.ok) delivered.push(`${event.kind}:${event.id}`);
        else refused++;
      },
    });
    outbox.start();
    const total = 30;
    const put = async (i: number) => {
      const key = `inc-${String(i).padStart(2, '0')}`;
      await outbox.put(key, envelope(key, i));
      if (i % 3 === 0) await outbox.putClip(key, Buffer.from(`mp4 of ${key}`));
    };
    for (let i = 0; i < 10; i++) await put(i);
    // The console goes away mid-stream; the detector keeps raising alerts meanwhile.
    await app.close();
    for (let i = 10; i < 20; i++) await put(i);
    await new Promise((resolve) => setTimeout(resolve, 300));
    app = await start(port);
    for (let i = 20; i < total; i++) await put(i);
    await outbox.drained();
    await outbox.stop();
    await app.close();

    const rows = await select<{ key: string; id: string; kinds: string[] }>(
      sql,
      `SELECT a.ingest_key AS key, a.id,
         ARRAY(SELECT e.kind FROM evidence e WHERE e.alert_id = a.id ORDER BY e.kind) AS kinds
       FROM alerts a ORDER BY a.ingest_key`,
    );
    assert.equal(rows.length, total, 'every alert stored, once');
    for (const [i, row] of rows.entries()) {
      assert.equal(row.key, `inc-${String(i).padStart(2, '0')}`);
      assert.match(row.id, /^al_/);
      assert.deepEqual(row.kinds, i % 3 === 0 ? ['clip', 'snapshot'] : ['snapshot'], row.key);
    }
    assert.deepEqual(readdirSync(dir), [], 'nothing left, nothing set aside');
    assert.ok(refused > 0, 'deliveries failed while the console was away');
    assert.equal(delivered.filter((d) => d.startsWith('alert:')).length, total);
    await sql.close();
  });
});
