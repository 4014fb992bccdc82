/**
 * The console's view of local clients: the running config from the local store, the last
 * report the config function wrote next to each file, and camera health from the supervisor.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientDirectory, ClientView } from '@vigie/console';
import { configReportView, refusedUpload } from '@vigie/console';
import type { ConfigReport } from '@vigie/config-function';
import { generationOf } from '@vigie/config-function';
import type { LocalClients } from './clients.js';
import type { Supervisor } from './supervisor.js';

/** Options of {@link createLocalDirectory}. */
export interface LocalDirectoryOptions {
  readonly clients: LocalClients;
  readonly supervisor: Supervisor;
  /** The folder playing the bucket. */
  readonly bucketRoot: string;
  /** The configs' folder in it, with its trailing slash. */
  readonly prefix: string;
}

const REPORT = /^([a-z0-9][-a-z0-9]*)\.xml\.report\.json$/;

async function readReports(options: LocalDirectoryOptions) {
  const dir = join(options.bucketRoot, options.prefix);
  const reports = new Map<string, { report: ConfigReport; current: boolean }>();
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return reports;
  }
  for (const file of files) {
    const match = REPORT.exec(file);
    if (!match?.[1]) continue;
    try {
      const report = JSON.parse(await readFile(join(dir, file), 'utf8')) as ConfigReport;
      const generation = await generationOf(join(options.bucketRoot, report.object));
      // A report whose file is gone is about a client that was removed.
      if (generation === undefined) continue;
      reports.set(match[1], { report, current: generation === report.generation });
    } catch {
      // Being rewritten; the next read sees it whole.
    }
  }
  return reports;
}

/** Creates the directory. */
export function createLocalDirectory(options: LocalDirectoryOptions): ClientDirectory {
  return {
    async list() {
      const reports = await readReports(options);
      const resources = new Map(options.clients.list().map((r) => [r.metadata.name, r]));
      const names = [...new Set([...resources.keys(), ...reports.keys()])].sort();
      return names.map((name): ClientView => {
        const resource = resources.get(name);
        const report = reports.get(name);
        const cameras = options.supervisor.cameras(name);
        const lastReport = report && configReportView(report.report);
        const base = {
          name,
          displayName: resource?.spec.name ?? name,
          ...(resource ? { spec: resource.spec } : {}),
          ...(lastReport ? { lastReport } : {}),
          cameras,
        };
        if (report?.current === true && report.report.status === 'Rejected') {
          return { ...base, ...refusedUpload(report.report, resource !== undefined) };
        }
        if (!resource) return { ...base, state: 'Progressing', message: 'Being checked.' };
        const down = cameras.filter((c) => c.state === 'Down');
        if (down.length > 0) {
          return {
            ...base,
            state: 'Degraded',
            message: down
              .map((c) => `Camera ${c.name} is down (${c.code ?? 'unknown'}).`)
              .join(' '),
          };
        }
        const active = cameras.filter((c) => c.state !== 'Disabled');
        return active.every((c) => c.state === 'Up')
          ? { ...base, state: 'Ready' }
          : { ...base, state: 'Progressing', message: 'Detectors are starting.' };
      });
    },
  };
}
