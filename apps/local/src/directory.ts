/**
 * The console's view of local clients: the running config from the local store, the last
 * report the config function wrote next to each file, and camera health from the supervisor.
 */

import { join } from 'node:path';
import type { ClientDirectory, ClientView } from '@vigie/console';
import { configReportView, refusedUpload } from '@vigie/console';
import type { ConfigReport, FolderObjectStore } from '@vigie/config-function';
import { generationOf } from '@vigie/config-function';
import type { LocalClients } from './clients.js';
import type { Supervisor } from './supervisor.js';

/** Options of {@link createLocalDirectory}. */
export interface LocalDirectoryOptions {
  readonly clients: LocalClients;
  readonly supervisor: Pick<Supervisor, 'cameras'>;
  /** The folder playing the bucket. */
  readonly bucketRoot: string;
  /** The configs' folder in it, with its trailing slash. */
  readonly prefix: string;
  /** The store the config function writes reports with: the only reports trusted. */
  readonly objects: Pick<FolderObjectStore, 'written'>;
}

const REPORT = /^([a-z0-9][-a-z0-9]*)\.xml\.report\.json$/;

/**
 * The reports the config function wrote, from the folder store's own record: anyone who can drop
 * a config into the folder can also drop a file named like a report, so the files are never read.
 */
async function readReports(options: LocalDirectoryOptions) {
  const reports = new Map<string, { report: ConfigReport; current: boolean }>();
  for (const [object, content] of [...options.objects.written()]) {
    if (!object.startsWith(options.prefix)) continue;
    const match = REPORT.exec(object.slice(options.prefix.length));
    if (!match?.[1]) continue;
    const report = JSON.parse(content) as ConfigReport;
    const generation = await generationOf(join(options.bucketRoot, report.object));
    // A report whose file is gone is about a client that was removed.
    if (generation === undefined) continue;
    reports.set(match[1], { report, current: generation === report.generation });
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
