/**
 * Vigie's real one-node cluster, for tests: `scripts/cluster-up.sh` and `cluster-down.sh`
 * driven from Node, with kubectl run against it. Test-only.
 */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolsBinDir } from '@vigie/testenv';

const run = promisify(execFile);

/** The cluster's fixed addresses, as `scripts/cluster-up.sh` sets them. */
export const CLUSTER = {
  bridge: 'vigie0',
  hostIp: '10.244.0.1',
  podRange: '10.244.0.0/16',
  serviceRange: '10.96.0.0/16',
  dnsIp: '10.96.0.10',
  node: 'vigie-node',
} as const;

/** A running cluster. */
export interface Cluster {
  readonly kubeconfig: string;
  /** Runs kubectl against the cluster as its admin; resolves to stdout. */
  kubectl(args: readonly string[], input?: string): Promise<string>;
  /** Takes the cluster down. */
  down(): Promise<void>;
}

/** Runs a script of the repository as it is (root is needed: the scripts say so). */
async function script(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { stdout } = await run('bash', [join(repoRoot(), 'scripts', name)], {
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Starts the cluster (several minutes the first time: tools and images are built). */
export async function clusterUp(): Promise<Cluster> {
  const kubeconfig = (await script('cluster-up.sh')).trim().split('\n').at(-1) ?? '';
  const kubectlPath = join(toolsBinDir(process.env), 'kubectl');
  return {
    kubeconfig,
    async kubectl(args, input) {
      const child = execFile(kubectlPath, ['--kubeconfig', kubeconfig, ...args], {
        maxBuffer: 16 * 1024 * 1024,
      });
      if (input !== undefined) child.stdin?.end(input);
      return new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
        child.on('close', (code) => {
          if (code === 0) resolve(out);
          else reject(new Error(`kubectl ${args.join(' ')}: ${err.trim()}`));
        });
      });
    },
    async down() {
      await clusterDown();
    },
  };
}

/** Takes the cluster down; harmless when none is up. */
export async function clusterDown(): Promise<void> {
  await script('cluster-down.sh');
}
