import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startRetentionSweep, sweepEvidence } from './retention.js';

const work = mkdtempSync(join(tmpdir(), 'vigie-retention-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

/** A folder with one file `days` old per entry. */
function evidenceDir(name: string, files: Record<string, number>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [file, days] of Object.entries(files)) {
    const path = join(dir, file);
    writeFileSync(path, 'jpeg');
    const when = new Date(Date.now() - days * 86_400_000);
    utimesSync(path, when, when);
  }
  return dir;
}

describe('evidence retention', () => {
  it('deletes local evidence older than the retention period and keeps the rest', async () => {
    const dir = evidenceDir('sweep', { 'old-alert.jpg': 40, 'recent-alert.jpg': 2 });
    await sweepEvidence(dir, 30);
    assert.equal(existsSync(join(dir, 'old-alert.jpg')), false);
    assert.equal(existsSync(join(dir, 'recent-alert.jpg')), true);
  });

  it('does nothing where no evidence was ever kept', async () => {
    await sweepEvidence(join(work, 'never-made'), 30);
    assert.equal(existsSync(join(work, 'never-made')), false);
  });

  it('sweeps as soon as it starts, with the retention the config has then', async () => {
    const dir = evidenceDir('started', { 'a.jpg': 10, 'b.jpg': 1 });
    const sweep = startRetentionSweep({ dir, retentionDays: () => 7 });
    try {
      for (let i = 0; i < 100 && existsSync(join(dir, 'a.jpg')); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(existsSync(join(dir, 'a.jpg')), false);
      assert.equal(existsSync(join(dir, 'b.jpg')), true);
    } finally {
      sweep.stop();
    }
  });
});
