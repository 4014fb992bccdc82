import { stringify } from 'yaml';
import { UsageError } from '../command.js';

/** The output formats of commands that print a Kubernetes object. */
export type ObjectFormat = 'yaml' | 'json';

/** Checks an `--output` value. */
export function parseObjectFormat(value: unknown): ObjectFormat {
  if (value === 'yaml' || value === 'json') return value;
  throw new UsageError(`--output must be yaml or json, not "${String(value)}"`);
}

/** Prints a Kubernetes object as YAML or indented JSON. */
export function formatObject(object: unknown, format: ObjectFormat): string {
  return format === 'json'
    ? `${JSON.stringify(object, null, 2)}\n`
    : stringify(object, { lineWidth: 0, version: '1.1' });
}
