/**
 * The result report written next to each config file: `<file>.report.json` for machines and
 * `<file>.report.txt` for people.
 */

import type { Problem } from '@vigie/config';

/** What a report says about one generation of one file. */
export interface ConfigReport {
  readonly apiVersion: 'vigie.dev/v1alpha1';
  readonly kind: 'ConfigReport';
  readonly bucket: string;
  readonly object: string;
  readonly generation: string;
  readonly client: string;
  readonly status: 'Accepted' | 'Rejected';
  readonly checkedAt: string;
  readonly problems: readonly (Problem & { readonly text: string })[];
}

/** The names of a file's two report objects. */
export function reportNames(object: string): { json: string; text: string } {
  return { json: `${object}.report.json`, text: `${object}.report.txt` };
}

/** Builds the report for a checked file. */
export function buildReport(options: {
  bucket: string;
  object: string;
  generation: string;
  client: string;
  problems: readonly Problem[];
  now: Date;
}): ConfigReport {
  return {
    apiVersion: 'vigie.dev/v1alpha1',
    kind: 'ConfigReport',
    bucket: options.bucket,
    object: options.object,
    generation: options.generation,
    client: options.client,
    status: options.problems.length === 0 ? 'Accepted' : 'Rejected',
    checkedAt: options.now.toISOString(),
    problems: options.problems.map((p) => ({
      ...p,
      text: `${String(p.line)}:${String(p.column)} ${p.code} ${p.message}`,
    })),
  };
}

/** The report as a person reads it. */
export function formatReportText(report: ConfigReport): string {
  const lines = [
    'Vigie config report',
    `File:       gs://${report.bucket}/${report.object} (generation ${report.generation})`,
    `Client:     ${report.client}`,
    report.status === 'Accepted'
      ? 'Result:     ACCEPTED. This config is now applied.'
      : 'Result:     REJECTED. Nothing changed: the previous config keeps running.',
    `Checked at: ${report.checkedAt}`,
  ];
  if (report.problems.length > 0) {
    const count = report.problems.length;
    lines.push(
      '',
      `${String(count)} ${count === 1 ? 'problem' : 'problems'} (LINE:COL CODE message):`,
    );
    for (const p of report.problems) lines.push(`  ${p.text}`);
    lines.push(
      '',
      'Codes are explained in docs/config-reference.md. Fix the file and upload it again.',
    );
  }
  return `${lines.join('\n')}\n`;
}
