/**
 * Vigie's Terraform, checked with what runs offline: OpenTofu (built from the Go module proxy
 * by scripts/ensure-tools.sh) formats every file as committed. Provider downloads are out of
 * reach here, so `tofu validate` and `plan` are not run (see docs/deploy/gke.md).
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, toolsBinDir } from '@vigie/testenv';

describe('Terraform', () => {
  it('is formatted as tofu fmt writes it', () => {
    const tofu = join(toolsBinDir(process.env), 'tofu');
    assert.ok(existsSync(tofu), `${tofu} is missing: run scripts/ensure-tools.sh`);
    const run = spawnSync(tofu, ['fmt', '-check', '-diff', '-recursive', 'deploy/terraform'], {
      cwd: repoRoot(),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `tofu fmt found unformatted files:\n${run.stdout}${run.stderr}`);
  });
});
