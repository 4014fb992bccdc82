/**
 * Test fixtures for the console: a migrated store (PGlite, or real PostgreSQL when the test
 * asks for it), generated tokens, a folder for evidence, and alerts as detectors send them.
 * Test-only; nothing in the console imports it.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { startPostgres } from '@vigie/testpg';
import type { ClientView } from '../ports.js';
import { migrate } from '../storage/db.js';
import { createFolderEvidenceStore } from '../storage/evidence.js';
import { createPgliteSql } from '../storage/pglite.js';
import type { SqlStore } from '../storage/postgres.js';
import { createPostgresSql } from '../storage/postgres.js';

/** The two stores the console runs on. */
export type StoreKind = 'pglite' | 'postgres';

/** A migrated, throwaway store and an evidence folder. */
export interface Fixture {
  readonly sql: SqlStore;
  readonly evidenceDir: string;
  readonly evidence: ReturnType<typeof createFolderEvidenceStore>;
  close(): Promise<void>;
}

/** Opens a fresh store of the given kind, migrated. */
export async function openFixture(kind: StoreKind): Promise<Fixture> {
  const evidenceDir = mkdtempSync(join(tmpdir(), 'vigie-evidence-'));
  let sql: SqlStore;
  let stop: () => Promise<void>;
  if (kind === 'pglite') {
    sql = createPgliteSql(new PGlite());
    stop = () => sql.close();
  } else {
    const server = await startPostgres();
    sql = createPostgresSql({ connectionString: server.url, max: 8 });
    stop = async () => {
      await sql.close();
      await server.stop();
    };
  }
  await migrate(sql);
  return {
    sql,
    evidenceDir,
    evidence: createFolderEvidenceStore(evidenceDir),
    async close() {
      await stop();
      rmSync(evidenceDir, { recursive: true, force: true });
    },
  };
}

/** A random secret for one test run: no token ever lives in the repository. */
export const secret = () => randomBytes(24).toString('hex');

/** A small, real JPEG (1×1), enough for content checks. */
export const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAA//EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AN//Z',
  'base64',
);

/** An alert envelope as a detector posts it. */
export function alertEnvelope(
  id: string,
  options: { client?: string; camera?: string; rule?: string; detectedAt?: string } = {},
) {
  const client = options.client ?? 'acme';
  const camera = options.camera ?? 'aisle';
  return {
    type: 'alert',
    alert: {
      id,
      client,
      camera,
      cameraName: `${camera} camera`,
      shard: `${client}-0`,
      rule: options.rule ?? 'concealment',
      rules: [options.rule ?? 'concealment'],
      trackId: 3,
      t: 12.5,
      score: 1.5,
      threshold: 1,
      sensitivity: 'medium',
      box: [100, 80, 220, 400],
      width: 640,
      height: 480,
      firings: [],
      evidenceTimes: [11.2, 12.5],
      detectedAt: options.detectedAt ?? '2026-11-26T10:00:00.000Z',
      explanation:
        'The right hand reached into Cosmetics shelf, went to the body 0.4 s later and stayed there for 1.0 s.',
    },
    snapshot: { contentType: 'image/jpeg', data: TINY_JPEG.toString('base64') },
  };
}

/** A directory of fixed clients, as the supervisor or the cluster would report them. */
export function fixedDirectory(clients: readonly ClientView[]) {
  return { list: () => Promise.resolve(clients) };
}

/** A client view with one camera in the given state. */
export function clientView(
  name: string,
  camera: { id: string; state: 'Up' | 'Down'; code?: string },
): ClientView {
  return {
    name,
    displayName: `${name} store`,
    state: camera.state === 'Up' ? 'Ready' : 'Degraded',
    cameras: [
      {
        client: name,
        camera: camera.id,
        name: `${camera.id} camera`,
        state: camera.state,
        ...(camera.code === undefined ? {} : { code: camera.code, reason: 'the stream is gone' }),
      },
    ],
  };
}
