/** Structured logs: one JSON object per line, with the severity names Cloud Logging reads. */

/**
 * A log severity. `NOTICE` is for significant routine events, such as the config function
 * removing a client.
 */
export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

/** One entry as a JSON line holds it: the severity and message, then the fields, at the top level. */
export interface LogEntry {
  readonly severity: Severity;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** Writes one entry. */
export type Logger = (
  severity: Severity,
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** A logger writing JSON lines with `write`; entries below `minimum` are dropped. */
export function createJsonLogger(
  write: (line: string) => void,
  minimum: Severity = 'INFO',
): Logger {
  const order: Severity[] = ['DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR'];
  const floor = order.indexOf(minimum);
  return (severity, message, fields = {}) => {
    if (order.indexOf(severity) < floor) return;
    write(`${JSON.stringify({ severity, message, ...fields, time: new Date().toISOString() })}\n`);
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = () => undefined;
