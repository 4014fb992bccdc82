/** Runs the real `vigie` executable in tests, as a user would. */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@vigie/testenv';

/** What a run of the CLI printed, and how it exited. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The `vigie` executable. */
export const VIGIE_BIN = join(repoRoot(), 'apps/cli/bin/vigie.js');

/** Runs `vigie ARGS…` from the repository root. */
export async function vigie(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [VIGIE_BIN, ...args], {
      cwd: repoRoot(),
      maxBuffer: 256 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
