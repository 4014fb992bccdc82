/**
 * Loaded into every detector that the supervisor starts (`node --import`), before the detector's
 * own code: the detector stops when its supervisor is gone, however it went, SIGKILL included.
 * Node has no `PR_SET_PDEATHSIG`, so the supervisor holds the write end of the detector's stdin
 * and never writes to it; the kernel closes it when the supervisor's process ends, and the
 * detector then stops as it does on SIGTERM (its outbox is flushed to disk), or exits after a
 * grace period if that hangs.
 */

import { fstatSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const GRACE_MS = 10_000;

function watchSupervisor(): void {
  // Worker threads inherit the preload; only the main thread watches.
  if (!isMainThread) return;
  const stdin = fstatSync(0);
  // Started some other way (stdin from /dev/null or a terminal): there is no supervisor to watch.
  if (!stdin.isFIFO() && !stdin.isSocket()) return;
  let gone = false;
  const onGone = () => {
    if (gone) return;
    gone = true;
    setTimeout(() => process.exit(1), GRACE_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  };
  process.stdin.on('data', () => undefined);
  process.stdin.once('end', onGone);
  process.stdin.once('close', onGone);
  process.stdin.once('error', onGone);
  // The pipe alone must not keep a detector alive that would otherwise exit.
  process.stdin.unref();
}

watchSupervisor();
