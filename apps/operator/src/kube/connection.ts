/**
 * Where the API server is and how to authenticate to it: from a kubeconfig file (`KUBECONFIG`,
 * else `~/.kube/config`) or, inside a pod, from the mounted ServiceAccount. Supports what
 * operators meet in practice: bearer tokens (inline or from a file, re-read so rotated tokens
 * are picked up), client certificates, CA bundles, and exec credential plugins such as
 * `gke-gcloud-auth-plugin`. Kept small on purpose: the full Kubernetes client library costs the
 * operator about 70 MB of memory for code it does not use.
 */

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

/** A resolved connection to one API server. */
export interface Connection {
  readonly server: URL;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly insecureSkipTlsVerify?: boolean;
  /** The bearer token for the next request, if the user has one. */
  readonly token: () => Promise<string | undefined>;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_REREAD_MS = 60_000;

/** Loads the connection the way kubectl and client-go find it. */
export function loadConnection(env: Readonly<Record<string, string | undefined>>): Connection {
  const path = env.KUBECONFIG?.split(':').find((p) => p !== '');
  if (path !== undefined) return fromKubeconfigFile(path);
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (env.KUBERNETES_SERVICE_HOST === undefined && existsSync(home))
    return fromKubeconfigFile(home);
  return inCluster(env);
}

/** The ServiceAccount a pod runs as. */
export function inCluster(env: Readonly<Record<string, string | undefined>>): Connection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (host === undefined) {
    throw new Error('no kubeconfig found and not running in a pod: set KUBECONFIG');
  }
  const tokenFile = join(SERVICE_ACCOUNT_DIR, 'token');
  return {
    server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
    ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt')),
    token: rereadFile(tokenFile),
  };
}

interface Named<T> {
  readonly name: string;
  readonly [key: string]: unknown;
  readonly cluster?: T;
  readonly user?: T;
  readonly context?: T;
}

interface KubeconfigFile {
  readonly 'current-context'?: string;
  readonly clusters?: Named<Record<string, unknown>>[];
  readonly users?: Named<Record<string, unknown>>[];
  readonly contexts?: Named<{ cluster?: string; user?: string }>[];
}

/** A kubeconfig file's current context. */
export function fromKubeconfigFile(path: string): Connection {
  const base = dirname(path);
  const file = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const contextName = file['current-context'];
  const context = file.contexts?.find((c) => c.name === contextName)?.context;
  if (context === undefined) throw new Error(`${path}: no current context`);
  const cluster = file.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (cluster === undefined)
    throw new Error(`${path}: cluster "${String(context.cluster)}" not found`);
  const user = file.users?.find((u) => u.name === context.user)?.user ?? {};
  const str = (o: Record<string, unknown>, key: string) =>
    typeof o[key] === 'string' ? o[key] : undefined;
  const bytes = (o: Record<string, unknown>, field: string): Buffer | undefined => {
    const data = str(o, `${field}-data`);
    if (data !== undefined) return Buffer.from(data, 'base64');
    const file = str(o, field);
    return file === undefined
      ? undefined
      : readFileSync(isAbsolute(file) ? file : join(base, file));
  };
  const server = str(cluster, 'server');
  if (server === undefined) throw new Error(`${path}: the cluster has no server`);
  const inline = str(user, 'token');
  const tokenFile = str(user, 'tokenFile');
  const exec = user.exec as ExecConfig | undefined;
  const token =
    inline !== undefined
      ? () => Promise.resolve(inline)
      : tokenFile !== undefined
        ? rereadFile(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile))
        : exec !== undefined
          ? execToken(exec)
          : () => Promise.resolve(undefined);
  const ca = bytes(cluster, 'certificate-authority');
  const cert = bytes(user, 'client-certificate');
  const key = bytes(user, 'client-key');
  return {
    server: new URL(server),
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
    token,
  };
}

/** A token file, re-read every minute, as projected ServiceAccount tokens rotate. */
function rereadFile(path: string): () => Promise<string> {
  let cached: { token: string; at: number } | undefined;
  return () => {
    if (cached === undefined || Date.now() - cached.at > TOKEN_REREAD_MS) {
      cached = { token: readFileSync(path, 'utf8').trim(), at: Date.now() };
    }
    return Promise.resolve(cached.token);
  };
}

interface ExecConfig {
  readonly command: string;
  readonly args?: string[];
  readonly env?: { name: string; value: string }[];
}

/** An exec credential plugin's token, cached until shortly before it expires. */
function execToken(config: ExecConfig): () => Promise<string | undefined> {
  const run = promisify(execFile);
  let cached: { token: string; expires: number } | undefined;
  return async () => {
    if (cached !== undefined && Date.now() < cached.expires - 60_000) return cached.token;
    const { stdout } = await run(config.command, config.args ?? [], {
      env: {
        ...process.env,
        ...Object.fromEntries((config.env ?? []).map((e) => [e.name, e.value])),
      },
      timeout: 30_000,
    });
    const credential = JSON.parse(stdout) as {
      status?: { token?: string; expirationTimestamp?: string };
    };
    const token = credential.status?.token;
    if (token === undefined) throw new Error(`${config.command} returned no token`);
    const expiry = credential.status?.expirationTimestamp;
    cached = {
      token,
      expires: expiry === undefined ? Date.now() + 5 * 60_000 : Date.parse(expiry),
    };
    return token;
  };
}
