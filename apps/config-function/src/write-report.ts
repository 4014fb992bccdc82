/** Writes a config's report next to it, as JSON for machines and as text for people. */

import type { Problem } from '@vigie/config';
import type { StorageEvent } from './events.js';
import type { ObjectStore } from './ports.js';
import type { ConfigReport } from './report.js';
import { buildReport, formatReportText, reportNames } from './report.js';

/** What {@link writeReportFiles} needs. */
export interface ReportWrite {
  readonly objects: ObjectStore;
  readonly event: StorageEvent;
  readonly client: string;
  readonly problems: readonly Problem[];
  readonly now: Date;
}

/** Writes both report files of the event's object, and returns the report. */
export async function writeReportFiles(write: ReportWrite): Promise<ConfigReport> {
  const { objects, event } = write;
  const report = buildReport({
    bucket: event.bucket,
    object: event.name,
    generation: event.generation,
    client: write.client,
    problems: write.problems,
    now: write.now,
  });
  const names = reportNames(event.name);
  await Promise.all([
    objects.write(
      event.bucket,
      names.json,
      `${JSON.stringify(report, null, 2)}\n`,
      'application/json',
    ),
    objects.write(event.bucket, names.text, formatReportText(report), 'text/plain; charset=utf-8'),
  ]);
  return report;
}
