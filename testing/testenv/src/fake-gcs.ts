/**
 * A throwaway fake-gcs-server (the real one, built by `scripts/ensure-tools.sh`) on loopback,
 * with in-memory storage. Point `@google-cloud/storage` at `endpoint` with `apiEndpoint`, or set
 * `STORAGE_EMULATOR_HOST` to it.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';

/** A running fake-gcs-server. */
export interface FakeGcs {
  /** Such as `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly stop: () => Promise<void>;
}

/** Starts fake-gcs-server from `binDir` and waits until it answers. */
export async function startFakeGcs(options: { binDir: string }): Promise<FakeGcs> {
  const bin = join(options.binDir, 'fake-gcs-server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/ensure-tools.sh`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${String(port)}`;
  const output: Buffer[] = [];
  const child = spawn(
    bin,
    [
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-backend',
      'memory',
      '-public-host',
      `127.0.0.1:${String(port)}`,
      '-external-url',
      endpoint,
      '-log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (b: Buffer) => output.push(b));
  child.stderr.on('data', (b: Buffer) => output.push(b));
  const running = () => child.exitCode === null && child.signalCode === null;
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const stop = async () => {
    process.off('exit', onExit);
    if (!running()) return;
    child.kill('SIGTERM');
    for (let i = 0; i < 100 && running(); i++) await sleep(20);
    if (running()) child.kill('SIGKILL');
  };
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${endpoint}/storage/v1/b`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { endpoint, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`fake-gcs-server did not start:\n${Buffer.concat(output).toString('utf8')}`);
}
