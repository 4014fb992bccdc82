import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fromKubeconfigFile, loadConnection } from './connection.js';

const dir = mkdtempSync(join(tmpdir(), 'vigie-kubeconfig-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(user: string, cluster = '      server: https://127.0.0.1:6443'): string {
  const path = join(dir, `${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: test',
      'contexts:',
      '  - name: other',
      '    context: { cluster: nowhere, user: nobody }',
      '  - name: test',
      '    context: { cluster: c, user: u }',
      'clusters:',
      '  - name: c',
      '    cluster:',
      cluster,
      'users:',
      '  - name: u',
      '    user:',
      user,
      '',
    ].join('\n'),
  );
  return path;
}

describe('loadConnection', () => {
  it('reads the current context: server, CA data and an inline token', async () => {
    const token = randomBytes(8).toString('hex');
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\n');
    const path = kubeconfig(
      `      token: ${token}`,
      `      server: https://10.0.0.1:6443\n      certificate-authority-data: ${ca.toString('base64')}`,
    );
    const connection = loadConnection({ KUBECONFIG: `${path}:/elsewhere` });
    assert.equal(connection.server.href, 'https://10.0.0.1:6443/');
    assert.deepEqual(connection.ca, ca);
    assert.equal(await connection.token(), token);
  });

  it('reads certificate and token files relative to the kubeconfig', async () => {
    writeFileSync(join(dir, 'client.crt'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    writeFileSync(join(dir, 'token'), 'from-file\n');
    const connection = fromKubeconfigFile(
      kubeconfig(
        '      client-certificate: client.crt\n      client-key: client.key\n      tokenFile: token',
      ),
    );
    assert.equal(connection.cert?.toString(), 'CERT');
    assert.equal(connection.key?.toString(), 'KEY');
    assert.equal(await connection.token(), 'from-file');
  });

  it('runs an exec credential plugin and caches its token until it expires', async () => {
    const counter = join(dir, 'calls');
    writeFileSync(counter, '');
    const script = `require('fs').appendFileSync(${JSON.stringify(counter)}, 'x'); console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: process.env.PLUGIN_TOKEN, expirationTimestamp: new Date(Date.now() + 3600e3).toISOString() } }))`;
    const connection = fromKubeconfigFile(
      kubeconfig(
        [
          '      exec:',
          '        apiVersion: client.authentication.k8s.io/v1',
          `        command: ${JSON.stringify(process.execPath)}`,
          `        args: ["-e", ${JSON.stringify(script)}]`,
          '        env: [{ name: PLUGIN_TOKEN, value: plugin-token }]',
        ].join('\n'),
      ),
    );
    assert.equal(await connection.token(), 'plugin-token');
    assert.equal(await connection.token(), 'plugin-token');
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(counter, 'utf8'), 'x');
  });

  it('says what is wrong with a kubeconfig it cannot use', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\ncurrent-context: missing\n');
    assert.throws(() => fromKubeconfigFile(path), /no current context/);
    assert.throws(
      () => loadConnection({ HOME: dir }),
      /no kubeconfig found and not running in a pod/,
    );
  });
});
