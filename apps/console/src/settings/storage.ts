/** Where the console keeps alerts (PostgreSQL) and their evidence (a bucket or a folder). */

import type { EnvReader } from './env-reader.js';

/** Where snapshots and clips are kept. */
export type EvidenceSettings =
  | { readonly kind: 'bucket'; readonly bucket: string }
  | { readonly kind: 'folder'; readonly dir: string };

/** `DATABASE_URL` (required): a `postgres:` or `postgresql:` URL. */
export function readDatabaseUrl(read: EnvReader): string {
  return read.url(
    'DATABASE_URL',
    read.required('DATABASE_URL', 'the PostgreSQL database alerts are kept in'),
    ['postgres:', 'postgresql:'],
  );
}

/** `VIGIE_EVIDENCE_BUCKET`, else `VIGIE_EVIDENCE_DIR`: one is required. */
export function readEvidence(read: EnvReader): EvidenceSettings {
  const bucket = read.text('VIGIE_EVIDENCE_BUCKET');
  const dir = read.text('VIGIE_EVIDENCE_DIR');
  if (bucket !== undefined) return { kind: 'bucket', bucket };
  if (dir !== undefined) return { kind: 'folder', dir };
  throw new Error(
    'VIGIE_EVIDENCE_BUCKET (or VIGIE_EVIDENCE_DIR) is required: where snapshots and clips are kept',
  );
}
