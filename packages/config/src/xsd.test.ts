import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '@vigie/testenv';
import { parseClientConfig } from './validate.js';

const root = repoRoot();
const xsd = join(root, 'packages/config/schema/client.xsd');
const work = mkdtempSync(join(tmpdir(), 'vigie-xsd-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** xmllint's verdict on a document, with the XSD generated from the schema. */
function xmllintAccepts(doc: string): boolean {
  const file = join(work, 'doc.xml');
  writeFileSync(file, doc);
  const result = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], {
    encoding: 'utf8',
  });
  if (result.error)
    throw new Error(`xmllint is required (Debian package libxml2-utils): ${result.error.message}`);
  return result.status === 0;
}

const STRUCTURAL =
  /^VIGIE_E_(XML|SCHEMA|INPUT)_|^VIGIE_E_NAME_INVALID$|^VIGIE_E_QUANTITY_INVALID$|^VIGIE_E_ZONE_POINTS_SYNTAX$|^VIGIE_E_SCHEDULE_INVALID$/;

/** Vigie's verdict, ignoring semantic checks that an XSD cannot express. */
function schemaAccepts(doc: string): boolean {
  const result = parseClientConfig(doc);
  return (
    result.ok ||
    result.problems.every(
      (p) =>
        !STRUCTURAL.test(p.code) ||
        (p.code === 'VIGIE_E_SCHEDULE_INVALID' && /24:00/.test(p.message)),
    )
  );
}

const base = readFileSync(join(root, 'examples/full-store.xml'), 'utf8');

/** Documents that differ from a valid one by one structural change. */
const MUTATIONS: [string, (doc: string) => string][] = [
  ['unknown element', (d) => d.replace('<privacy', '<secrecy/><privacy')],
  [
    'unknown attribute',
    (d) => d.replace('<camera id="entrance"', '<camera id="entrance" colour="red"'),
  ],
  ['missing required attribute', (d) => d.replace(' timezone="Europe/Paris"', '')],
  ['missing required element', (d) => d.replace(/<contact [^>]*\/>/, '')],
  ['duplicate single element', (d) => d.replace('<privacy', '<privacy/><privacy')],
  ['text in an element', (d) => d.replace('<cameras>', '<cameras>hello')],
  ['integer with a word', (d) => d.replace('cooldownSeconds="120"', 'cooldownSeconds="two"')],
  ['integer out of range', (d) => d.replace('cooldownSeconds="120"', 'cooldownSeconds="100000"')],
  ['decimal out of range', (d) => d.replace('fps="8"', 'fps="31"')],
  ['decimal with exponent', (d) => d.replace('fps="8"', 'fps="8e0"')],
  ['boolean yes', (d) => d.replace('blurFaces="true"', 'blurFaces="yes"')],
  ['boolean 0', (d) => d.replace('blurFaces="true"', 'blurFaces="0"')],
  ['padded integer', (d) => d.replace('cooldownSeconds="120"', 'cooldownSeconds=" 120 "')],
  [
    'padded decimal and boolean',
    (d) => d.replace('fps="8"', 'fps=" 8 "').replace('blurFaces="true"', 'blurFaces=" true "'),
  ],
  ['non-breaking space as text', (d) => d.replace('<cameras>', '<cameras>&#160;')],
  ['name length in code points', (d) => d.replace('name="Entrance"', `name="${'😀'.repeat(150)}"`)],
  [
    'name too long in code points',
    (d) => d.replace('name="Entrance"', `name="${'😀'.repeat(201)}"`),
  ],
  [
    'non-breaking space in an email',
    (d) => d.replace('address="security@acme.example"', 'address="secu&#160;rity@acme.example"'),
  ],
  [
    'schema hint on a wrapper',
    (d) => d.replace('<cameras>', '<cameras xsi:schemaLocation="urn:x x.xsd">'),
  ],
  ['bad enum', (d) => d.replace('type="exit"', 'type="Exit"')],
  ['bad pattern', (d) => d.replace('sha256="3b', 'sha256="XX')],
  ['bad name', (d) => d.replace('id="entrance"', 'id="Entrance"')],
  ['name too long', (d) => d.replace('id="entrance"', `id="${'e'.repeat(64)}"`)],
  ['bad quantity', (d) => d.replace('memory="1Gi"', 'memory="1GB"')],
  ['bad days', (d) => d.replace('days="mon-sat"', 'days="weekdays"')],
  ['days with spaces', (d) => d.replace('days="mon-sat"', 'days="mon, sun"')],
  ['bad time', (d) => d.replace('open="08:00"', 'open="8:00"')],
  ['bad date', (d) => d.replace('date="2026-12-25"', 'date="2026-13-01"')],
  ['polygon with two points', (d) => d.replace('points="0,0 1,0 1,1 0,1"', 'points="0,0 1,0"')],
  ['polygon with separators', (d) => d.replace('points="0,0 1,0 1,1 0,1"', 'points="0,0;1,0;1,1"')],
  [
    'polygon with padding',
    (d) => d.replace('points="0,0 1,0 1,1 0,1"', 'points="  0,0\n 1,0 1,1 0,1 "'),
  ],
  [
    'too many cameras',
    (d) =>
      d.replace(
        '<cameras>',
        `<cameras>${Array.from({ length: 1001 }, (_, i) => `<camera id="c${String(i)}"><stream url="rtsp://h/${String(i)}"/></camera>`).join('')}`,
      ),
  ],
  ['no cameras', (d) => d.replace(/<cameras>[\s\S]*<\/cameras>/, '<cameras/>')],
  [
    'wrong item in a list',
    (d) => d.replace('<cameras>', '<cameras><zone id="a" type="exit" points="0,0 1,0 1,1"/>'),
  ],
  ['foreign namespace element', (d) => d.replace('<privacy', '<x:note xmlns:x="urn:x"/><privacy')],
  ['unqualified element', (d) => d.replace('<privacy', '<note xmlns=""/><privacy')],
  [
    'repeated children in any order',
    (d) =>
      d.replace(
        '<closed date="2026-12-25" reason="Christmas"/>',
        '<closed date="2026-12-25"/><window days="sun" open="20:00" close="21:00"/>',
      ),
  ],
  [
    'attributes in any order',
    (d) =>
      d.replace(
        '<webhook url="https://hooks.acme.example/vigie" secretRef="acme-webhook-key"/>',
        '<webhook secretRef="acme-webhook-key" url="https://hooks.acme.example/vigie"/>',
      ),
  ],
  [
    'elements in any order',
    (d) => d.replace(/(<contact [^>]*\/>)([\s\S]*)(<resources [^>]*\/>)/, '$3$2$1'),
  ],
];

describe('the generated XSD', () => {
  it('accepts every example', () => {
    for (const file of readdirSync(join(root, 'examples'))) {
      assert.ok(xmllintAccepts(readFileSync(join(root, 'examples', file), 'utf8')), file);
    }
  });

  it("accepts and rejects the same documents as Vigie's schema checks", () => {
    execFileSync('xmllint', ['--noout', xsd]);
    for (const [name, mutate] of MUTATIONS) {
      const doc = mutate(base);
      assert.notEqual(doc, base, `mutation "${name}" changed nothing`);
      assert.equal(
        xmllintAccepts(doc),
        schemaAccepts(doc),
        `mutation "${name}": xmllint and Vigie disagree`,
      );
    }
  });
});
