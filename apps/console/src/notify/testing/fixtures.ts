/**
 * Test fixtures for the notifier: a migrated PGlite database, a TLS certificate generated at
 * test time, client directories built from real client configs, a clock driven by hand, and
 * a small MIME reader for the messages an SMTP server receives.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { parseClientConfig, toClientResource } from '@vigie/config';
import type { ClientDirectory, ClientView, SecretReader } from '../../ports.js';
import { storeAlert, type IncomingAlert } from '../../storage/alerts.js';
import type { Sql } from '../../storage/db.js';
import { migrate } from '../../storage/db.js';

/** An in-memory database with the console's migrations, the notifications table among them. */
export async function openDatabase(): Promise<{ sql: Sql; close: () => Promise<void> }> {
  const db = new PGlite();
  const sql: Sql = { query: (text, params) => db.query(text, params as unknown[]) };
  await migrate(sql);
  return { sql, close: () => db.close() };
}

/** The host name the test certificate also names, which tests resolve to 127.0.0.1 themselves. */
export const TEST_HOST = 'hooks.vigie.test';

/**
 * A self-signed certificate for 127.0.0.1 and {@link TEST_HOST}, made with openssl for this
 * run only.
 */
export function generateCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-notify-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        `subjectAltName=IP:127.0.0.1,DNS:${TEST_HOST}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `<alerts>` element of a test client. */
export interface AlertsXml {
  readonly cooldownSeconds?: number;
  readonly webhooks?: readonly { url: string; secretRef: string }[];
  readonly emails?: readonly string[];
}

/** A client view from a real client config, parsed and normalised as the operator does. */
export function clientView(id: string, name: string, alerts: AlertsXml): ClientView {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="${id}" name="${name}" timezone="Europe/Paris">
  <contact name="Store security" email="security@store.example"/>
  <cameras>
    <camera id="cam-aisle" name="Aisle 3">
      <stream url="rtsp://10.0.0.40/stream" credentialsSecret="aisle-camera"/>
    </camera>
  </cameras>
  <alerts${alerts.cooldownSeconds === undefined ? '' : ` cooldownSeconds="${String(alerts.cooldownSeconds)}"`}>
${(alerts.webhooks ?? []).map((w) => `    <webhook url="${w.url}" secretRef="${w.secretRef}"/>`).join('\n')}
${(alerts.emails ?? []).map((e) => `    <email address="${e}"/>`).join('\n')}
  </alerts>
</client>`;
  const parsed = parseClientConfig(xml, { expectedId: id });
  if (!parsed.ok) throw new Error(`bad test config: ${JSON.stringify(parsed.problems)}`);
  return {
    name: id,
    displayName: name,
    spec: toClientResource(parsed.config).spec,
    state: 'Ready',
    cameras: [],
  };
}

/** A directory over a map that tests can change. */
export function directoryOf(clients: Map<string, ClientView>): ClientDirectory {
  return { list: () => Promise.resolve([...clients.values()]) };
}

/** Secrets from a map of `client/secret/key` to values. */
export function secretsOf(values: Map<string, string>): SecretReader {
  return {
    read: (client, secret, key) => Promise.resolve(values.get(`${client}/${secret}/${key}`)),
  };
}

/** A clock that moves only when told. */
export function manualClock(start: string): { now: () => Date; advance: (ms: number) => void } {
  let at = Date.parse(start);
  return {
    now: () => new Date(at),
    advance: (ms) => {
      at += ms;
    },
  };
}

/** Stores an alert as ingest does, with the detector's body; returns what was stored. */
export async function storeTestAlert(
  sql: Sql,
  alert: { id: string; client: string; detectedAt: string; camera?: string },
): Promise<IncomingAlert> {
  const body = {
    id: alert.id,
    client: alert.client,
    camera: alert.camera ?? 'cam-aisle',
    cameraName: 'Aisle 3',
    shard: 0,
    trackId: 7,
    rule: 'concealment',
    rules: ['concealment', 'exit-without-payment'],
    score: 1.6,
    threshold: 1,
    detectedAt: alert.detectedAt,
    explanation:
      'The right hand reached into Cosmetics shelf, went to the body 0.4 s later and stayed there for 1.0 s.',
  };
  const incoming: IncomingAlert = {
    id: alert.id,
    client: alert.client,
    camera: body.camera,
    rule: body.rule,
    detectedAt: alert.detectedAt,
    body,
  };
  if (!(await storeAlert(sql, incoming))) throw new Error(`alert ${alert.id} already stored`);
  return incoming;
}

/** One part of a MIME message, decoded. */
export interface MimePart {
  /** Header names in lowercase; values unfolded, encoded words decoded. */
  readonly headers: ReadonlyMap<string, string>;
  /** The decoded body of a leaf part. */
  readonly body: Buffer;
  readonly parts: readonly MimePart[];
}

function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(
      /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g,
      (_m, _charset: string, enc: string, text: string) =>
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : decodeQuotedPrintable(text.replace(/_/g, ' ')).toString('utf8'),
    );
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i];
    const hex = soft.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** Parses a raw message as an SMTP server receives it. */
export function parseMime(raw: string): MimePart {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const content = split < 0 ? '' : raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.set(
        line.slice(0, colon).trim().toLowerCase(),
        decodeWords(line.slice(colon + 1).trim()),
      );
    }
  }
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary !== undefined) {
    const parts = content
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .map((p) => parseMime(p.replace(/^\r\n/, '').replace(/\r\n$/, '')));
    return { headers, body: Buffer.alloc(0), parts };
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const body =
    encoding === 'base64'
      ? Buffer.from(content.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(content)
        : Buffer.from(content, 'utf8');
  return { headers, body, parts: [] };
}

/** Every leaf part of a message, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length === 0 ? [part] : part.parts.flatMap(leaves);
}
