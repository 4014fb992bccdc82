/**
 * A config folder entry the watcher refuses unread (a link, a special file, a bad name): its
 * report goes next to it when it can, else only into the logs.
 */

import type { Logger } from '@vigie/log';
import type { Outcome } from '../handler.js';
import { buildReport, formatReportText, reportNames } from '../report.js';
import type { Refusal } from './folder-event.js';
import type { FolderObjectStore } from './folder-store.js';
import { LOCAL_BUCKET } from './folder-store.js';

/** What {@link reportRefusal} needs. */
export interface RefusalReport {
  readonly refusal: Refusal;
  /** The config folder inside the bucket, with its trailing slash. */
  readonly prefix: string;
  readonly objects: FolderObjectStore;
  readonly log: Logger;
  readonly now: Date;
}

/** Reports the refusal, and returns the object's name and the outcome to tell observers. */
export async function reportRefusal(
  report: RefusalReport,
): Promise<{ readonly object: string; readonly outcome: Outcome }> {
  const { refusal, objects } = report;
  const object = `${report.prefix}${refusal.name}`;
  const client = refusal.name.slice(0, -'.xml'.length);
  const fields = { bucket: LOCAL_BUCKET, object, generation: refusal.generation, client };
  const problems = [refusal.problem];
  let where = 'in the logs only: its report cannot be written next to it';
  if (refusal.nextToFile) {
    const built = buildReport({ ...fields, problems, now: report.now });
    const names = reportNames(object);
    try {
      await objects.write(
        LOCAL_BUCKET,
        names.json,
        `${JSON.stringify(built, null, 2)}\n`,
        'application/json',
      );
      await objects.write(
        LOCAL_BUCKET,
        names.text,
        formatReportText(built),
        'text/plain; charset=utf-8',
      );
      where = 'reported next to it';
    } catch (error) {
      where = `in the logs only: its report could not be written (${String(error)})`;
    }
  }
  report.log(
    'WARNING',
    `refused ${JSON.stringify(object)} unread, ${where}: ${refusal.problem.code} ${refusal.problem.message}`,
    { ...fields, problems: [`${refusal.problem.code} ${refusal.problem.message}`] },
  );
  return { object, outcome: { result: 'rejected', client, problems } };
}
