import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectorArgs, parseFailure, restartDelayMs } from './supervisor-process.js';

describe("the local supervisor's detector process", () => {
  it('waits longer after each crash, up to 30 s', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs),
      [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000],
    );
  });

  it("reads the detector's coded last words, and nothing else", () => {
    assert.deepEqual(parseFailure('vigie-detector: VIGIE_E_MODEL_LOAD: no such model\n'), {
      code: 'VIGIE_E_MODEL_LOAD',
      message: 'no such model',
    });
    assert.equal(parseFailure('Segmentation fault'), undefined);
  });

  it("runs the detector on the loopback with the client's token, secrets and its own folder", () => {
    const args = detectorArgs(
      {
        consoleUrl: 'http://127.0.0.1:8080',
        detectorMain: '/opt/detector/main.js',
        ingestTokenFile: (client) => `/secrets/${client}/token`,
        secretsDir: (client) => `/secrets/${client}`,
      },
      {
        client: 'acme',
        dir: '/data/acme/shard-0',
        configPath: '/data/acme/shard-0/c.json',
        port: 4100,
      },
    );
    const option = (name: string) => args[args.indexOf(name) + 1];
    assert.equal(args[2], '/opt/detector/main.js');
    assert.equal(option('--config'), '/data/acme/shard-0/c.json');
    assert.equal(option('--console'), 'http://127.0.0.1:8080');
    assert.equal(option('--ingest-token-file'), '/secrets/acme/token');
    assert.equal(option('--secrets-dir'), '/secrets/acme');
    assert.equal(option('--data-dir'), '/data/acme/shard-0/data');
    assert.equal(option('--host'), '127.0.0.1');
    assert.equal(option('--port'), '4100');
  });
});
