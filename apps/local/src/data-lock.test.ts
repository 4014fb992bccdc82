import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lockDataDir } from './data-lock.js';

const root = mkdtempSync(join(tmpdir(), 'vigie-lock-'));

after(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("vigie up's data folder lock", () => {
  it('refuses a folder a live process holds', async () => {
    writeFileSync(join(root, 'vigie.pid'), `${String(process.ppid)}\n`);
    await assert.rejects(lockDataDir(root), { code: 'VIGIE_E_ALREADY_RUNNING' });
  });

  it('takes over a lock whose process is gone, and a fresh folder', async () => {
    // Above the largest PID Linux and macOS hand out: no process has it.
    writeFileSync(join(root, 'vigie.pid'), '99999999\n');
    const path = await lockDataDir(root);
    assert.equal(readFileSync(path, 'utf8'), `${String(process.pid)}\n`);
    const fresh = mkdtempSync(join(root, 'fresh-'));
    assert.equal(readFileSync(await lockDataDir(fresh), 'utf8'), `${String(process.pid)}\n`);
  });

  it('lets the process that holds the lock take it again', async () => {
    await lockDataDir(root);
    await lockDataDir(root);
  });
});
