/**
 * How the local supervisor converges its detectors on the clients' plans: which shards should
 * run, and for each one whether it is new, gone, rolled (restarted) or updated live.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ClientResource } from '@vigie/config';
import type { ClientPlan, ShardPlan } from '@vigie/plan';
import { planClient } from '@vigie/plan';
import type { DetectorLaunch, DetectorWorker } from './supervisor-process.js';
import { haltDetector, startDetector } from './supervisor-process.js';
import { DETECTOR_CONFIG_FILE } from './supervisor-stale.js';

/** A shard that should run, keyed `<client>/<shard>`. */
export interface DesiredShard {
  readonly client: string;
  readonly shard: ShardPlan;
}

/** The clients' plans, by client, and every shard they ask for, by `<client>/<shard>`. */
export function planShards(clients: readonly ClientResource[]): {
  plans: Map<string, ClientPlan>;
  desired: Map<string, DesiredShard>;
} {
  const plans = new Map<string, ClientPlan>();
  const desired = new Map<string, DesiredShard>();
  for (const resource of clients) {
    const plan = planClient(resource.metadata.name, resource.spec);
    plans.set(plan.client, plan);
    for (const shard of plan.shards) {
      desired.set(`${plan.client}/${shard.name}`, { client: plan.client, shard });
    }
  }
  return { plans, desired };
}

/** The detector config file's content for a shard. */
export function shardConfigText(shard: ShardPlan): string {
  return `${JSON.stringify(shard.config, null, 2)}\n`;
}

/**
 * What a running shard needs: a restart when its rollout key changed (a stream, model or layout
 * change, as the operator rolls a Deployment), else a live config update when its file changed.
 */
export function shardChange(
  runningKey: string,
  next: Pick<ShardPlan, 'rolloutKey'>,
  configChanged: boolean,
): 'roll' | 'live' | 'unchanged' {
  if (runningKey !== next.rolloutKey) return 'roll';
  return configChanged ? 'live' : 'unchanged';
}

/** What the convergence steps need. */
export interface ConvergeContext {
  /** Each shard's config, outbox and log live under `<dataDir>/detectors/<client>/<shard>`. */
  readonly dataDir: string;
  readonly launch: DetectorLaunch;
}

/** Stops a shard that no client asks for any more. */
export async function retireShard(worker: DetectorWorker, context: ConvergeContext): Promise<void> {
  worker.retired = true;
  await haltDetector(worker);
  worker.logFile?.end();
  context.launch.log('INFO', 'detector removed', { client: worker.client, shard: worker.shard });
}

/** A new shard's worker, its folder made and a port picked; nothing runs yet. */
export async function newShard(
  { client, shard }: DesiredShard,
  context: ConvergeContext,
): Promise<DetectorWorker> {
  const dir = join(context.dataDir, 'detectors', client, shard.name);
  await mkdir(join(dir, 'data'), { recursive: true });
  return {
    client,
    shard: shard.name,
    dir,
    configPath: join(dir, DETECTOR_CONFIG_FILE),
    port: await freePort(),
    rolloutKey: shard.rolloutKey,
    plan: shard,
    state: 'starting',
    restarts: 0,
    cameras: [],
    retired: false,
  };
}

/** Writes a new shard's config, then starts its detector. */
export async function launchShard(worker: DetectorWorker, context: ConvergeContext): Promise<void> {
  await writeWhole(worker.configPath, shardConfigText(worker.plan));
  startDetector(worker, context.launch);
}

/** Brings a running shard to its new plan: its config rewritten, and a restart if it rolled. */
export async function updateShard(
  worker: DetectorWorker,
  { client, shard }: DesiredShard,
  context: ConvergeContext,
): Promise<void> {
  const { log } = context.launch;
  const content = shardConfigText(shard);
  worker.plan = shard;
  const written = await readFile(worker.configPath, 'utf8').catch(() => '');
  if (written !== content) await writeWhole(worker.configPath, content);
  switch (shardChange(worker.rolloutKey, shard, written !== content)) {
    case 'roll':
      worker.rolloutKey = shard.rolloutKey;
      log('INFO', 'detector rolled', { client, shard: shard.name });
      await haltDetector(worker);
      worker.restarts = 0;
      startDetector(worker, context.launch);
      return;
    case 'live':
      log('INFO', 'detector config updated live', { client, shard: shard.name });
      return;
    case 'unchanged':
      return;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Writes a file whole, so that the detector watching it never reads half of it. */
async function writeWhole(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}
