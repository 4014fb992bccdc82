/**
 * A throwaway, real PostgreSQL server on loopback for integration tests and benchmarks: a fresh
 * cluster (`initdb`) in a temporary folder, a server listening on 127.0.0.1 and on a socket in
 * that folder, password authentication with a password generated at start, and one database.
 * Everything is removed by `stop()`, on process exit, or by the next start if this process was
 * killed.
 *
 * PostgreSQL refuses to run as root: when this process is root, `initdb` and `postgres` run as
 * the `postgres` system user (which the Debian package creates), in a folder that user owns.
 */

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chownSync,
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { errorMessage } from '@vigie/log';
import { freePort } from '@vigie/testenv';

const run = promisify(execFile);

/** Options for {@link startPostgres}. */
export interface PostgresOptions {
  /** The database to create (default `vigie`). */
  readonly database?: string;
  /** The superuser to create (default `vigie`). */
  readonly user?: string;
  /**
   * The folder holding `initdb`, `postgres`, `pg_isready` and `createdb` (default: the newest
   * `/usr/lib/postgresql/N/bin`, else `pg_config --bindir`).
   */
  readonly binDir?: string;
  /** Server settings passed as `-c name=value`, such as `{ max_connections: '200' }`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** How long to wait for the server to accept connections, in milliseconds (default 60 s). */
  readonly startTimeoutMs?: number;
  /**
   * Also listen on these addresses, and let clients from these networks in with the password,
   * such as `{ addresses: ['10.244.0.1'], networks: ['10.244.0.0/24'] }` for a cluster's pods.
   * Loopback only by default.
   */
  readonly remote?: { readonly addresses: readonly string[]; readonly networks: readonly string[] };
}

/** A running PostgreSQL server. */
export interface Postgres {
  /** A connection URL with the credentials, such as `postgres://vigie:…@127.0.0.1:41234/vigie`. */
  readonly url: string;
  /** Always `127.0.0.1` (see `remote` for other addresses). */
  readonly host: string;
  readonly port: number;
  /** The superuser. */
  readonly user: string;
  /** Generated at start; never the same twice. */
  readonly password: string;
  readonly database: string;
  /** The folder holding the cluster (`data/`), the socket and the server's log (`postgres.log`). */
  readonly dir: string;
  /** The last lines of the server's log, for error messages. */
  readonly logTail: (lines?: number) => string;
  /** Stops the server and removes the folder. Safe to call twice. */
  readonly stop: () => Promise<void>;
}

const PREFIX = 'vigie-pg-';
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface Live {
  readonly child: ChildProcess;
  readonly dir: string;
}
const live = new Set<Live>();
let exitHookInstalled = false;

/**
 * The folder of the PostgreSQL server binaries: the newest `/usr/lib/postgresql/N/bin` (Debian),
 * else what `pg_config --bindir` names. Throws, naming the package to install, when none has
 * `initdb`.
 */
export async function postgresBinDir(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  }
  try {
    const dir = (await run('pg_config', ['--bindir'])).stdout.trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  } catch {
    // No pg_config on PATH: the error below says what to install.
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, postgres) were not found in /usr/lib/postgresql/*/bin ' +
      'nor by pg_config --bindir: install the Debian package postgresql ' +
      '(scripts/ensure-debian-packages.sh does it)',
  );
}

/** Starts a server and creates its database; rejects with the server's log when it cannot. */
export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const database = options.database ?? 'vigie';
  const user = options.user ?? 'vigie';
  if (!NAME.test(database) || !NAME.test(user)) {
    throw new Error(`startPostgres: database and user must match ${String(NAME)}`);
  }
  const timeout = options.startTimeoutMs ?? 60_000;
  const binDir = options.binDir ?? (await postgresBinDir());
  const [initdb, postgres, pgIsReady, createdb] = [
    'initdb',
    'postgres',
    'pg_isready',
    'createdb',
  ].map((name) => {
    const path = join(binDir, name);
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: install the Debian package postgresql`);
    }
    return path;
  }) as [string, string, string, string];
  const owner = serverUser();
  installExitHook();
  reapOrphans();

  const dir = await mkdtemp(join(tmpdir(), PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const data = join(dir, 'data');
  const logPath = join(dir, 'postgres.log');
  const password = randomBytes(24).toString('hex');
  const logTail = (lines = 60) => {
    try {
      return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  let entry: Live | undefined;
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (entry !== undefined) {
      const { child } = entry;
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      // Fast shutdown ends sessions and checkpoints; immediate shutdown, then a kill, if stuck.
      for (const [signal, waitMs] of [
        ['SIGINT', 15_000],
        ['SIGQUIT', 5_000],
        ['SIGKILL', 5_000],
      ] as const) {
        if (exited()) break;
        child.kill(signal);
        const deadline = Date.now() + waitMs;
        while (!exited() && Date.now() < deadline) await sleep(25);
      }
      live.delete(entry);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const asOwner = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
    if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner !== undefined) chownSync(pwfile, owner.uid, owner.gid);
    try {
      await run(
        initdb,
        [
          `--pgdata=${data}`,
          `--username=${user}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
          // Only initdb's own final flush is skipped; the server keeps fsync on.
          '--no-sync',
        ],
        { ...asOwner, cwd: dir, env: serverEnv() },
      );
    } catch (error) {
      throw new Error(`initdb failed:\n${outputOf(error)}`);
    } finally {
      rmSync(pwfile, { force: true });
    }

    if (options.remote !== undefined) {
      const hba = options.remote.networks.map((n) => `host all all ${n} scram-sha-256\n`);
      appendFileSync(join(data, 'pg_hba.conf'), hba.join(''));
    }
    const settings = {
      listen_addresses: ['127.0.0.1', ...(options.remote?.addresses ?? [])].join(','),
      unix_socket_directories: dir,
      ...options.settings,
    };
    let port = 0;
    // A free port can be taken between choosing it and binding it: choose again, a few times.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const log = openSync(logPath, 'a');
      const child = spawn(
        postgres,
        [
          '-D',
          data,
          '-p',
          String(port),
          ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
        ],
        { ...asOwner, cwd: dir, env: serverEnv(), stdio: ['ignore', log, log] },
      );
      closeSync(log);
      // Without stop(), the exit hook still ends the server: it must not keep tests alive.
      child.unref();
      entry = { child, dir };
      live.add(entry);
      const started = await waitReady(child, pgIsReady, port, timeout);
      if (started === 'ready') break;
      if (started === 'timeout') {
        throw new Error(`postgres did not accept connections within ${String(timeout)} ms`);
      }
      live.delete(entry);
      entry = undefined;
      if (!/Address already in use/.test(logTail(10)) || attempt >= 5) {
        throw new Error('postgres exited while starting');
      }
    }

    try {
      await run(createdb, ['-h', '127.0.0.1', '-p', String(port), '-U', user, database], {
        env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' },
      });
    } catch (error) {
      throw new Error(`createdb ${database} failed:\n${outputOf(error)}`);
    }

    const url = `postgres://${user}:${password}@127.0.0.1:${String(port)}/${database}`;
    return { url, host: '127.0.0.1', port, user, password, database, dir, logTail, stop };
  } catch (error) {
    const message = errorMessage(error);
    const tail = logTail();
    await stop();
    throw new Error(`startPostgres: ${message}\n--- postgres.log ---\n${tail}`, { cause: error });
  }
}

/** Waits until the server accepts connections, exits or runs out of time. */
async function waitReady(
  child: ChildProcess,
  pgIsReady: string,
  port: number,
  timeout: number,
): Promise<'ready' | 'exited' | 'timeout'> {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (exited()) return 'exited';
    try {
      await run(pgIsReady, ['-q', '-h', '127.0.0.1', '-p', String(port), '-t', '2']);
      if (!exited()) return 'ready';
    } catch {
      // Not accepting connections yet (exit status 1 or 2).
    }
    await sleep(100);
  }
  return exited() ? 'exited' : 'timeout';
}

/** The user the server runs as: `postgres` when this process is root, else this user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres' && uid !== undefined && gid !== undefined) {
      return { uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error(
    'PostgreSQL refuses to run as root, and there is no postgres system user to run it as: ' +
      'install the Debian package postgresql, which creates it',
  );
}

/** The environment of initdb and the server: no PG* variables of the caller leak in. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_ALL: 'C' };
  if (process.env.PATH !== undefined) env.PATH = process.env.PATH;
  return env;
}

function outputOf(error: unknown): string {
  const e = error as { stdout?: unknown; stderr?: unknown; message?: unknown };
  return [e.stdout, e.stderr, e.message]
    .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
    .join('\n')
    .trim();
}

/** Ends a server at once and removes its folder, synchronously, for exit hooks. */
function killNow(entry: Live): void {
  const { child, dir } = entry;
  if (child.exitCode === null && child.signalCode === null) {
    try {
      child.kill('SIGQUIT');
    } catch {
      // Already gone.
    }
    // The postmaster removes its pid file once every backend has exited.
    waitSync(() => !existsSync(join(dir, 'data', 'postmaster.pid')), 5_000);
  }
  rmSync(dir, { recursive: true, force: true });
  live.delete(entry);
}

function waitSync(done: () => boolean, ms: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) Atomics.wait(cell, 0, 0, 20);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const entry of [...live]) killNow(entry);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const entry of [...live]) killNow(entry);
      process.kill(process.pid, signal);
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

/** Removes the servers of test processes that were killed before they could stop them. */
function reapOrphans(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir()).filter((e) => e.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(tmpdir(), entry);
    try {
      const owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
      if (isAlive(owner)) continue;
      const data = join(dir, 'data');
      const pidFile = join(data, 'postmaster.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
        // A PID may have been reused since: only stop a process whose folder is this cluster.
        if (pid > 0 && isAlive(pid) && readlinkSync(`/proc/${String(pid)}/cwd`) === data) {
          process.kill(pid, 'SIGQUIT');
          waitSync(() => !existsSync(pidFile), 5_000);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder being created right now by another process has no owner file yet.
    }
  }
}
