import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { probeSize, streamErrorCode, withoutCredentials } from './sources.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-sources-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** An ffprobe stand-in: records its arguments, then runs `body`. */
function fakeProbe(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\necho "$@" > "${path}.args"\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('camera sources', () => {
  it('never shows a stream address with its user and password', () => {
    assert.equal(
      withoutCredentials('rtsp://viewer:s%2Fe+cr=t@10.0.0.5:554/1: Connection timed out'),
      'rtsp://10.0.0.5:554/1: Connection timed out',
    );
    assert.equal(
      withoutCredentials('[tcp @ 0x1] Connection to tcp://u:p@cam:554?timeout=1 failed'),
      '[tcp @ 0x1] Connection to tcp://cam:554?timeout=1 failed',
    );
    assert.equal(withoutCredentials('no address here'), 'no address here');
  });

  it('reports a camera that never answers as unreachable, in words, within its own timeout', async () => {
    const probe = fakeProbe('silent', 'sleep 5');
    const started = Date.now();
    const error = await probeSize('rtsp://u:p@10.0.0.5/1', 'tcp', probe, 300).then(
      () => assert.fail('a silent camera has no size'),
      (e: unknown) => e as Error,
    );
    assert.ok(Date.now() - started < 4000);
    assert.notEqual(error.message, '');
    assert.equal(streamErrorCode(error.message), 'VIGIE_E_STREAM_UNREACHABLE');
    // ffprobe is given a socket timeout of its own, shorter than the kill.
    assert.match(readFileSync(`${probe}.args`, 'utf8'), /-rtsp_transport tcp -timeout 150000 /);
  });

  it("passes on ffprobe's own last words", async () => {
    const probe = fakeProbe('refused', 'echo "rtsp://u:p@cam/1: Connection refused" >&2; exit 1');
    await assert.rejects(probeSize('rtsp://u:p@cam/1', 'tcp', probe), /Connection refused$/);
  });
});
