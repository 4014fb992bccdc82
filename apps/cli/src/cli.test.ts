import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { vigie, VIGIE_BIN } from './testing/run.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-cli-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

function file(name: string, content: string | Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

const PROBLEM_LINE = /^(.+):(\d+):(\d+): (VIGIE_E_[A-Z0-9_]+) (.+)$/;

describe('vigie validate', () => {
  it('exits 0 on every example', async () => {
    const examples = [
      'minimal',
      'full-store',
      'schedule',
      'zones',
      'custom-model',
      'detection-rules',
      'alerts',
      'privacy',
      'resources-gpu',
    ];
    const run = await vigie('validate', ...examples.map((e) => `examples/${e}.xml`));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /9 files valid/);
  });

  it('prints FILE:LINE:COL: CODE message per problem and exits 1', async () => {
    const bad = file(
      'bad.xml',
      '<client xmlns="https://vigie.dev/schemas/client/v1alpha1" id="Bad" name="x" timezone="UTC">\n  <contact name="a" email="a@b.example"/>\n  <cameras><camera id="c"><stream url="http://u:p@cam/s"/></camera></cameras>\n</client>\n',
    );
    const run = await vigie('validate', bad, 'examples/minimal.xml');
    assert.equal(run.code, 1);
    const lines = run.stdout.trim().split('\n');
    assert.deepEqual(lines, [
      `${bad}:1:63: VIGIE_E_NAME_INVALID client.id: "Bad" is not lowercase letters, digits and '-', starting and ending with a letter or digit, at most 50 characters`,
    ]);
    assert.match(run.stderr, /1 of 2 files invalid, 1 problem/);
  });

  it('answers hostile and broken files with problem lines, never a stack trace', async () => {
    const hostile = [
      file('xxe.xml', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><client>&e;</client>'),
      file(
        'bomb.xml',
        `<!DOCTYPE l [<!ENTITY a "${'x'.repeat(100)}"><!ENTITY b "${'&a;'.repeat(100)}">]><client>&b;</client>`,
      ),
      file('deep.xml', `${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}`),
      file('huge.xml', new Uint8Array(8 * 1024 * 1024).fill(0x41)),
      file('binary.xml', new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))),
      file('latin1.xml', Buffer.from('<client name="caf\xe9"/>', 'latin1')),
      file('empty.xml', ''),
      join(work, 'missing.xml'),
      work,
    ];
    const run = await vigie('validate', ...hostile);
    assert.equal(run.code, 1);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, hostile.length);
    for (const line of lines) assert.match(line, PROBLEM_LINE);
    assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at |root:x:0/);
  });

  it('prints one JSON report per file with --output json', async () => {
    const run = await vigie(
      'validate',
      '--output',
      'json',
      'examples/minimal.xml',
      join(work, 'nope.xml'),
    );
    assert.equal(run.code, 1);
    const [ok, missing] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { valid: boolean; problems: { code: string }[] });
    assert.ok(ok && missing);
    assert.equal(ok.valid, true);
    assert.equal(missing.valid, false);
    assert.equal(missing.problems[0]?.code, 'VIGIE_E_INPUT_UNREADABLE');
  });

  it('stops quietly when its reader goes away', async () => {
    const bad = file(
      'many.xml',
      `<client xmlns="https://vigie.dev/schemas/client/v1alpha1">${'<x/>'.repeat(150)}</client>`,
    );
    const errors = join(work, 'stderr.txt');
    const { stdout } = await promisify(execFile)('bash', [
      '-c',
      `"${process.execPath}" "${VIGIE_BIN}" validate ${Array(50).fill(`"${bad}"`).join(' ')} 2>"${errors}" | head -1`,
    ]);
    assert.match(stdout.trim(), PROBLEM_LINE);
    assert.doesNotMatch(readFileSync(errors, 'utf8'), /EPIPE|\n\s+at /);
  });

  it('explains usage mistakes with exit code 2', async () => {
    assert.equal((await vigie('validate')).code, 2);
    assert.equal((await vigie('validate', '--output', 'xml', 'a.xml')).code, 2);
    assert.equal((await vigie('frobnicate')).code, 2);
    assert.equal((await vigie()).code, 2);
    assert.equal((await vigie('render', '--object', 'x.xml', 'examples/minimal.xml')).code, 2);
    assert.equal(
      (await vigie('render', '--bucket', '', '--generation', '1', 'examples/minimal.xml')).code,
      2,
    );
  });
});

describe('vigie render', () => {
  it('prints the Client resource, YAML by default', async () => {
    const run = await vigie('render', 'examples/full-store.xml');
    assert.equal(run.code, 0, run.stderr);
    const resource = parse(run.stdout, { version: '1.1' }) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string };
      spec: { schedule: { windows: { open: string }[] }; source?: unknown };
    };
    assert.equal(resource.apiVersion, 'vigie.dev/v1alpha1');
    assert.equal(resource.kind, 'Client');
    assert.equal(resource.metadata.name, 'acme-paris-11');
    // YAML 1.1 readers (kubectl) would read an unquoted 08:00 as a number.
    assert.equal(resource.spec.schedule.windows[0]?.open, '08:00');
    assert.equal(resource.spec.source, undefined);
  });

  it('prints JSON and records the source when given', async () => {
    const run = await vigie(
      'render',
      '--output',
      'json',
      '--bucket',
      'acme-configs',
      '--generation',
      '1700000000000001',
      'examples/minimal.xml',
    );
    assert.equal(run.code, 0, run.stderr);
    const resource = JSON.parse(run.stdout) as { spec: { source: unknown } };
    assert.deepEqual(resource.spec.source, {
      bucket: 'acme-configs',
      object: 'client-configs/minimal.xml',
      generation: '1700000000000001',
    });
  });

  it('prints problems instead of a resource for an invalid file', async () => {
    const run = await vigie('render', file('r.xml', '<client/>'));
    assert.equal(run.code, 1);
    assert.match(run.stdout.trim(), PROBLEM_LINE);
  });
});

describe('vigie crd and help', () => {
  it('prints the CRD', async () => {
    const run = await vigie('crd');
    assert.equal(run.code, 0);
    const crd = parse(run.stdout) as { kind: string; metadata: { name: string } };
    assert.equal(crd.kind, 'CustomResourceDefinition');
    assert.equal(crd.metadata.name, 'clients.vigie.dev');
  });

  it('has --help on every command', async () => {
    for (const command of ['validate', 'render', 'crd']) {
      const run = await vigie(command, '--help');
      assert.equal(run.code, 0);
      assert.match(run.stdout, new RegExp(`^Usage: vigie ${command}`));
    }
    const top = await vigie('--help');
    assert.match(top.stdout, /validate[\s\S]*render[\s\S]*crd/);
  });
});

describe('vigie up --webhook-allow', () => {
  it('is documented, and a mistyped allowance stops vigie up before anything starts', async () => {
    const help = await vigie('up', '--help');
    assert.match(help.stdout, /--webhook-allow LIST/);
    const data = join(work, 'up-data');
    const run = await vigie('up', '--data', data, '--webhook-allow', '127.0.0.1/32,10.0.0.0/99');
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /vigie up: VIGIE_E_WEBHOOK_ALLOW: --webhook-allow has "10\.0\.0\.0\/99": write an address range/,
    );
    assert.equal(existsSync(data), false, 'nothing was started or written');
  });
});
